import { COMBO_KEYS, KEY_MODIFIERS } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { comboKeys } from './keys.ts';

const codes = (keys: { data: unknown }[]): unknown[] => keys.map((k) => k.data);

describe('comboKeys', () => {
  it('presses the modifiers first, then the key', () => {
    expect(codes(comboKeys('ctrl-alt-delete'))).toEqual(['ctrl', 'alt', 'delete']);
    expect(codes(comboKeys('ctrl-alt-backspace'))).toEqual(['ctrl', 'alt', 'backspace']);
    expect(codes(comboKeys('ctrl-alt-f12'))).toEqual(['ctrl', 'alt', 'f12']);
    expect(codes(comboKeys('alt-f4'))).toEqual(['alt', 'f4']);
    expect(codes(comboKeys('shift-alt-tab'))).toEqual(['shift', 'alt', 'tab']);
    expect(codes(comboKeys('super-l'))).toEqual(['meta_l', 'l']);
    expect(codes(comboKeys('altgr-q'))).toEqual(['alt_r', 'q']);
  });

  it('sends the keys no browser passes on: Esc, Tab, PrintScreen, the Windows key alone', () => {
    expect(codes(comboKeys('esc'))).toEqual(['esc']);
    expect(codes(comboKeys('tab'))).toEqual(['tab']);
    expect(codes(comboKeys('print'))).toEqual(['print']);
    expect(codes(comboKeys('super'))).toEqual(['meta_l']);
  });

  it('maps every key and modifier of the protocol', () => {
    for (const key of COMBO_KEYS) expect(comboKeys(`ctrl-${key}`)).toHaveLength(2);
    for (const m of KEY_MODIFIERS) expect(comboKeys(m)).toHaveLength(1);
  });

  it('refuses what the schema refuses', () => {
    expect(() => comboKeys('ctrl-alt-f13')).toThrow(RangeError);
    expect(() => comboKeys('ctrl-ctrl-a')).toThrow(RangeError);
  });
});
