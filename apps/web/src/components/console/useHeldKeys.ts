import { useRef, useState } from 'react';
import type RFB from '@novnc/novnc';

/** The modifiers that can be held down in the guest (X11 keysyms and DOM codes of the left-hand keys). */
export const HELD_KEYS = [
  { key: 'ctrl', label: 'Ctrl', keysym: 0xffe3, code: 'ControlLeft' },
  { key: 'alt', label: 'Alt', keysym: 0xffe9, code: 'AltLeft' },
  { key: 'shift', label: 'Shift', keysym: 0xffe1, code: 'ShiftLeft' },
  { key: 'super', label: 'Super', keysym: 0xffeb, code: 'MetaLeft' },
] as const;

export type HeldKey = (typeof HELD_KEYS)[number]['key'];

const definition = (key: HeldKey) => HELD_KEYS.find((k) => k.key === key);

/**
 * Sticky modifiers, as noVNC's and Proxmox's extra keys: a key-down sent over the screen's RFB connection
 * that lasts until toggled again, so that Ctrl, Alt, Shift or Super combine with keys typed on the screen
 * (or sent with the menu). `releaseAll` lifts them when the connection ends.
 */
export function useHeldKeys() {
  const [held, setHeld] = useState<ReadonlySet<HeldKey>>(() => new Set());
  // What the guest holds, for teardown code that runs outside a render.
  const holding = useRef(new Set<HeldKey>());

  const toggle = (rfb: RFB | null, key: HeldKey) => {
    const def = definition(key);
    if (!rfb || !def) return;
    const down = !holding.current.has(key);
    rfb.sendKey(def.keysym, def.code, down);
    const next = new Set(holding.current);
    if (down) next.add(key);
    else next.delete(key);
    holding.current = next;
    setHeld(next);
  };

  /** Releases every held key on `rfb` (when it is still connected) and forgets them. */
  const releaseAll = (rfb: RFB | null) => {
    for (const key of holding.current) {
      const def = definition(key);
      if (rfb && def) rfb.sendKey(def.keysym, def.code, false);
    }
    holding.current = new Set();
    setHeld(holding.current);
  };

  return { held, toggle, releaseAll };
}
