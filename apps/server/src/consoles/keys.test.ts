import { KeyComboSchema } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { charKeys, comboKeys } from './keys.ts';

const codes = (keys: { data: unknown }[]): unknown[] => keys.map((k) => k.data);

describe('comboKeys', () => {
  it('maps every combination of the protocol to ctrl + alt + one key', () => {
    expect(codes(comboKeys('ctrl-alt-delete'))).toEqual(['ctrl', 'alt', 'delete']);
    expect(codes(comboKeys('ctrl-alt-backspace'))).toEqual(['ctrl', 'alt', 'backspace']);
    expect(codes(comboKeys('ctrl-alt-f1'))).toEqual(['ctrl', 'alt', 'f1']);
    expect(codes(comboKeys('ctrl-alt-f12'))).toEqual(['ctrl', 'alt', 'f12']);
    for (const combo of KeyComboSchema.options) expect(comboKeys(combo)).toHaveLength(3);
  });
});

describe('charKeys (US layout)', () => {
  it('types letters, upper case with shift', () => {
    expect(codes(charKeys('a'))).toEqual(['a']);
    expect(codes(charKeys('Z'))).toEqual(['shift', 'z']);
  });

  it('types digits, symbols and whitespace', () => {
    expect(codes(charKeys('7'))).toEqual(['7']);
    expect(codes(charKeys('&'))).toEqual(['shift', '7']);
    expect(codes(charKeys('$'))).toEqual(['shift', '4']);
    expect(codes(charKeys('~'))).toEqual(['shift', 'grave_accent']);
    expect(codes(charKeys('|'))).toEqual(['shift', 'backslash']);
    expect(codes(charKeys('"'))).toEqual(['shift', 'apostrophe']);
    expect(codes(charKeys('>'))).toEqual(['shift', 'dot']);
    expect(codes(charKeys('/'))).toEqual(['slash']);
    expect(codes(charKeys(' '))).toEqual(['spc']);
    expect(codes(charKeys('\n'))).toEqual(['ret']);
    expect(codes(charKeys('\t'))).toEqual(['tab']);
  });

  it('covers all 95 printable ASCII characters with distinct key sequences', () => {
    const seen = new Set<string>();
    for (let c = 0x20; c <= 0x7e; c++) seen.add(JSON.stringify(charKeys(String.fromCharCode(c))));
    expect(seen.size).toBe(95);
  });

  it('refuses what no US key types', () => {
    expect(() => charKeys('é')).toThrow(RangeError);
    expect(() => charKeys('\r')).toThrow(RangeError);
  });
});
