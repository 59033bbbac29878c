import { describe, expect, it } from 'vitest';
import {
  KeyComboSchema,
  SendKeysRequestSchema,
  TYPE_TEXT_MAX_CHARS,
  TypeTextRequestSchema,
} from './consoles.ts';

const messages = (input: unknown): string[] => {
  const r = TypeTextRequestSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('console request schemas', () => {
  it('knows the 14 key combinations', () => {
    expect(KeyComboSchema.options).toHaveLength(14);
    expect(SendKeysRequestSchema.safeParse({ keys: 'ctrl-alt-f12' }).success).toBe(true);
    expect(SendKeysRequestSchema.safeParse({ keys: 'ctrl-alt-f13' }).success).toBe(false);
    expect(SendKeysRequestSchema.safeParse({ keys: 'ctrl-alt-delete', extra: 1 }).success).toBe(false);
  });

  it('accepts printable ASCII, newline and tab up to the limit', () => {
    const all = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '\n\t';
    expect(messages({ text: all })).toEqual([]);
    expect(messages({ text: 'x'.repeat(TYPE_TEXT_MAX_CHARS) })).toEqual([]);
  });

  it('names the first character that cannot be typed', () => {
    expect(messages({ text: 'ok é ü' })).toEqual([
      'character 4 is "é" (U+00E9): only printable ASCII, newline and tab can be typed',
    ]);
    expect(messages({ text: 'a\r\n' })[0]).toMatch(/^character 2 is U\+000D:/);
    expect(messages({ text: 'a😀' })[0]).toMatch(/^character 2 is "😀" \(U\+1F600\)/);
  });

  it('refuses empty, too long and missing text', () => {
    expect(messages({ text: '' })).toEqual(['text is empty']);
    expect(messages({ text: 'x'.repeat(TYPE_TEXT_MAX_CHARS + 1) })[0]).toMatch(/at most 4096/);
    expect(messages({})).toHaveLength(1);
  });
});
