import { parseKeyCombo, type KeyCombo, type KeyModifier } from '@virtweb/protocol';
import type { QmpKeyValue, QmpQKeyCode } from '@virtweb/qmp';

const qcode = (data: QmpQKeyCode): QmpKeyValue => ({ type: 'qcode', data });

/** The qcode of each modifier: the left ones, AltGr is the right Alt, Super the (left) Windows key. */
const MODIFIER_CODES: Record<KeyModifier, QmpQKeyCode> = {
  ctrl: 'ctrl',
  alt: 'alt',
  shift: 'shift',
  super: 'meta_l',
  altgr: 'alt_r',
};

const isModifier = (key: string): key is KeyModifier => Object.hasOwn(MODIFIER_CODES, key);

/**
 * The qcodes of a send-keys combination, pressed in this order (modifiers first) and released in reverse.
 * The key names of the protocol are qemu's QKeyCode names.
 * @throws RangeError for a combination the protocol's schema refuses
 */
export function comboKeys(combo: KeyCombo): QmpKeyValue[] {
  const parsed = parseKeyCombo(combo);
  if (!parsed) throw new RangeError(`not a key combination: ${combo}`);
  const last = isModifier(parsed.key) ? MODIFIER_CODES[parsed.key] : (parsed.key as QmpQKeyCode);
  return [...parsed.modifiers.map((m) => qcode(MODIFIER_CODES[m])), qcode(last)];
}
