import type { KeyCombo } from '@virtweb/protocol';
import type { QmpKeyValue, QmpQKeyCode } from '@virtweb/qmp';

const qcode = (data: QmpQKeyCode): QmpKeyValue => ({ type: 'qcode', data });

/** The qcodes of each send-keys combination, pressed in this order. */
export function comboKeys(combo: KeyCombo): QmpKeyValue[] {
  const last = combo.slice('ctrl-alt-'.length);
  const key: QmpQKeyCode = last === 'backspace' ? 'backspace' : last === 'delete' ? 'delete' : fKey(last);
  return [qcode('ctrl'), qcode('alt'), qcode(key)];
}

function fKey(name: string): QmpQKeyCode {
  const n = Number(name.slice(1));
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new RangeError(`not a function key: ${name}`);
  return `f${n}` as QmpQKeyCode;
}

// US layout: the unshifted and shifted character of every key that types one.
const US_KEYS: readonly [QmpQKeyCode, string, string][] = [
  ['grave_accent', '`', '~'],
  ['1', '1', '!'],
  ['2', '2', '@'],
  ['3', '3', '#'],
  ['4', '4', '$'],
  ['5', '5', '%'],
  ['6', '6', '^'],
  ['7', '7', '&'],
  ['8', '8', '*'],
  ['9', '9', '('],
  ['0', '0', ')'],
  ['minus', '-', '_'],
  ['equal', '=', '+'],
  ['bracket_left', '[', '{'],
  ['bracket_right', ']', '}'],
  ['backslash', '\\', '|'],
  ['semicolon', ';', ':'],
  ['apostrophe', "'", '"'],
  ['comma', ',', '<'],
  ['dot', '.', '>'],
  ['slash', '/', '?'],
  ['spc', ' ', ' '],
  ['ret', '\n', '\n'],
  ['tab', '\t', '\t'],
  ...'abcdefghijklmnopqrstuvwxyz'
    .split('')
    .map((c): [QmpQKeyCode, string, string] => [c as QmpQKeyCode, c, c.toUpperCase()]),
];

const CHAR_KEYS = new Map<string, QmpKeyValue[]>();
for (const [code, plain, shifted] of US_KEYS) {
  CHAR_KEYS.set(plain, [qcode(code)]);
  if (shifted !== plain) CHAR_KEYS.set(shifted, [qcode('shift'), qcode(code)]);
}

/**
 * The keys that type one character on a US keyboard (shift first where needed).
 * @throws RangeError for a character no key types (anything but printable ASCII, newline and tab).
 */
export function charKeys(ch: string): QmpKeyValue[] {
  const keys = CHAR_KEYS.get(ch);
  if (!keys) throw new RangeError(`no US key types ${JSON.stringify(ch)}`);
  return keys;
}
