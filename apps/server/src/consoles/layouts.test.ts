import type { KeyboardLayout } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { charStrokes, layoutChars } from './layouts.ts';

/** The strokes of a character as text: keys of a stroke joined by '+', strokes by ' '. */
const typed = (ch: string, layout: KeyboardLayout): string | undefined =>
  charStrokes(ch, layout)
    ?.map((stroke) => stroke.map((k) => String(k.data)).join('+'))
    .join(' ');

const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

describe('keyboard layouts', () => {
  it('US: letters, upper case with shift, digits, symbols and whitespace', () => {
    expect(typed('a', 'us')).toBe('a');
    expect(typed('Z', 'us')).toBe('shift+z');
    expect(typed('&', 'us')).toBe('shift+7');
    expect(typed('~', 'us')).toBe('shift+grave_accent');
    expect(typed('|', 'us')).toBe('shift+backslash');
    expect(typed('"', 'us')).toBe('shift+apostrophe');
    expect(typed(' ', 'us')).toBe('spc');
    expect(typed('\n', 'us')).toBe('ret');
    expect(typed('\t', 'us')).toBe('tab');
    expect(typed('é', 'us')).toBeUndefined();
  });

  it('UK: " on 2, @ beside Enter, £, # and \\ on the ISO keys', () => {
    expect(typed('"', 'uk')).toBe('shift+2');
    expect(typed('@', 'uk')).toBe('shift+apostrophe');
    expect(typed('£', 'uk')).toBe('shift+3');
    expect(typed('#', 'uk')).toBe('backslash');
    expect(typed('~', 'uk')).toBe('shift+backslash');
    expect(typed('\\', 'uk')).toBe('less');
    expect(typed('€', 'uk')).toBe('alt_r+4');
  });

  it('German: QWERTZ, umlauts, AltGr symbols, dead keys followed by a space', () => {
    expect(typed('z', 'de')).toBe('y');
    expect(typed('Y', 'de')).toBe('shift+z');
    expect(typed('ß', 'de')).toBe('minus');
    expect(typed('ü', 'de')).toBe('bracket_left');
    expect(typed('Ö', 'de')).toBe('shift+semicolon');
    expect(typed('@', 'de')).toBe('alt_r+q');
    expect(typed('{', 'de')).toBe('alt_r+7');
    expect(typed('/', 'de')).toBe('shift+7');
    expect(typed('|', 'de')).toBe('alt_r+less');
    expect(typed('€', 'de')).toBe('alt_r+e');
    expect(typed('^', 'de')).toBe('grave_accent spc');
    expect(typed('`', 'de')).toBe('shift+equal spc');
  });

  it('French: AZERTY, digits with shift, accented letters on the digit row, dead circumflex', () => {
    expect(typed('a', 'fr')).toBe('q');
    expect(typed('Q', 'fr')).toBe('shift+a');
    expect(typed('w', 'fr')).toBe('z');
    expect(typed('m', 'fr')).toBe('semicolon');
    expect(typed('1', 'fr')).toBe('shift+1');
    expect(typed('é', 'fr')).toBe('2');
    expect(typed('ç', 'fr')).toBe('9');
    expect(typed('@', 'fr')).toBe('alt_r+0');
    expect(typed('/', 'fr')).toBe('shift+dot');
    expect(typed('^', 'fr')).toBe('bracket_left spc');
    expect(typed('ù', 'fr')).toBe('apostrophe');
  });

  it('every layout types all of printable ASCII, each character with its own strokes', () => {
    for (const layout of ['us', 'uk', 'de', 'fr'] as const) {
      const seen = new Set<string>();
      for (const ch of ASCII) {
        const strokes = typed(ch, layout);
        expect(strokes, `${layout} ${JSON.stringify(ch)}`).toBeDefined();
        seen.add(strokes ?? '');
      }
      expect(seen.size, layout).toBe(ASCII.length);
      expect(layoutChars(layout).length).toBeGreaterThanOrEqual(ASCII.length + 2);
    }
  });
});
