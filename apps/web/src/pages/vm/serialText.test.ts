import { describe, expect, it } from 'vitest';
import { plainText } from './serialText.ts';

describe('plainText', () => {
  it.each([
    ['\x1b[H\x1b[J  Booting', '  Booting'],
    ['tinylinux# \x1b[6n', 'tinylinux# '],
    ['a\x1b[0;32mgreen\x1b[0m\r\n', 'agreen\n'],
    ['hide \x1b[?25lcursor', 'hide cursor'],
    ['osc \x1b]0;title\x07done', 'osc done'],
    ['charset \x1b(Bx', 'charset x'],
    ['tab\tstays\n', 'tab\tstays\n'],
  ])('strips terminal escapes from %j', (raw, text) => {
    expect(plainText(raw)).toBe(text);
  });

  it('hides a sequence cut off by a frame boundary until the rest arrives', () => {
    expect(plainText('cut \x1b[')).toBe('cut ');
    expect(plainText('cut \x1b')).toBe('cut ');
    expect(plainText('cut \x1b[1;3')).toBe('cut ');
    expect(plainText('cut \x1b[1;3' + '1mred')).toBe('cut red');
  });
});
