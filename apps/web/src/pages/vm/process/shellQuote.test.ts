import { describe, expect, it } from 'vitest';
import { shellJoin, shellLines, shellQuote } from './shellQuote.ts';

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('-name')).toBe('-name');
    expect(shellQuote('guest=web1,debug-threads=on')).toBe('guest=web1,debug-threads=on');
    expect(shellQuote('file=/data/my disk.qcow2')).toBe("'file=/data/my disk.qcow2'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('joins a command line that a shell splits back into the same words', () => {
    expect(shellJoin(['qemu-system-x86_64', '-name', 'a b'])).toBe("qemu-system-x86_64 -name 'a b'");
  });

  it('puts each option with its value on its own line', () => {
    expect(shellLines(['qemu', '-name', 'web1', '-S', '-m', '256'])).toBe(
      'qemu \\\n  -name web1 \\\n  -S \\\n  -m 256',
    );
  });
});
