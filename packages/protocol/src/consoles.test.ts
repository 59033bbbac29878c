import { describe, expect, it } from 'vitest';
import {
  SendKeysRequestSchema,
  parseKeyCombo,
  TYPE_TEXT_MAX_CHARS,
  TypeTextRequestSchema,
} from './consoles.ts';

const messages = (input: unknown): string[] => {
  const r = TypeTextRequestSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('console request schemas', () => {
  it('takes modifiers and one key joined by "-", or a modifier alone', () => {
    const ok = (keys: string) => SendKeysRequestSchema.safeParse({ keys }).success;
    for (const keys of [
      'ctrl-alt-delete',
      'ctrl-alt-f12',
      'esc',
      'tab',
      'super',
      'print',
      'alt-f4',
      'super-l',
    ]) {
      expect(ok(keys), keys).toBe(true);
    }
    for (const keys of [
      'ctrl-alt-f13',
      'ctrl-ctrl-a',
      'ctrl-',
      '-a',
      'ctrl-super',
      'hyper-a',
      '',
      'a-ctrl',
    ]) {
      expect(ok(keys), keys).toBe(false);
    }
    expect(SendKeysRequestSchema.safeParse({ keys: 'ctrl-alt-delete', extra: 1 }).success).toBe(false);
    expect(parseKeyCombo('shift-alt-tab')).toEqual({ modifiers: ['shift', 'alt'], key: 'tab' });
    expect(parseKeyCombo('altgr')).toEqual({ modifiers: [], key: 'altgr' });
  });

  it('accepts printable text of any script, newline and tab up to the limit, with a layout', () => {
    const all = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '\n\t';
    expect(messages({ text: all })).toEqual([]);
    expect(messages({ text: 'x'.repeat(TYPE_TEXT_MAX_CHARS) })).toEqual([]);
    expect(messages({ text: 'Grüße, ça va ? 😀', layout: 'de' })).toEqual([]);
    expect(messages({ text: 'x', layout: 'dvorak' })).toHaveLength(1);
  });

  it('names the first control character', () => {
    expect(messages({ text: 'a\r\n' })[0]).toMatch(/^character 2 is U\+000D: control characters/);
    expect(messages({ text: 'a😀\u0007' })[0]).toMatch(/^character 3 is U\+0007/);
  });

  it('refuses empty, too long and missing text', () => {
    expect(messages({ text: '' })).toEqual(['text is empty']);
    expect(messages({ text: 'x'.repeat(TYPE_TEXT_MAX_CHARS + 1) })[0]).toMatch(/at most 4096/);
    expect(messages({})).toHaveLength(1);
  });
});
