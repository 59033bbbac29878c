import { MONITOR_MAX_LINE_BYTES } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { LINE_REFUSED_MESSAGE, monitorLineLimit } from './monitor-line-limit.ts';

const text = (b: Buffer | undefined): string => b?.toString('latin1') ?? '';
/** What qemu gets after the refused line's bytes: the readline clearing, ending in a CR. */
const CLEAR = '\x00\x1b[A' + '\x1b[B'.repeat(64) + '\x05' + '\x17'.repeat(2048) + '\r';

describe('monitorLineLimit', () => {
  it('passes lines up to the limit unchanged, counting from the last CR or LF', () => {
    const limit = monitorLineLimit(8);
    expect(limit(Buffer.from('info st'))).toEqual({ toGuest: Buffer.from('info st'), toBrowser: undefined });
    expect(text(limit(Buffer.from('a\r12345678\n12345678')).toGuest)).toBe('a\r12345678\n12345678');
    expect(limit(Buffer.from('\r')).toBrowser).toBeUndefined();
  });

  it('refuses the byte past the limit: clears the line, tells the browser, drops up to Enter', () => {
    const limit = monitorLineLimit(8);
    const first = limit(Buffer.from('12345678'));
    expect(text(first.toGuest)).toBe('12345678');
    const over = limit(Buffer.from('9abc'));
    expect(text(over.toGuest)).toBe(CLEAR);
    expect(text(over.toBrowser)).toBe(LINE_REFUSED_MESSAGE);
    // Still the refused line: dropped, and so is its Enter (the cleared line was submitted already).
    expect(limit(Buffer.from('more')).toGuest.length).toBe(0);
    const after = limit(Buffer.from('tail\rstop\r'));
    expect(text(after.toGuest)).toBe('stop\r');
    expect(after.toBrowser).toBeUndefined();
  });

  it('handles a refusal inside one message, and a second one after the next line', () => {
    const limit = monitorLineLimit(4);
    const out = limit(Buffer.from('ok\r123456\rfine\rabcdefgh\rlast'));
    const guest = text(out.toGuest);
    expect(guest.startsWith('ok\r1234\x00')).toBe(true);
    const clears = guest.split('\x05').length - 1;
    expect(clears).toBe(2);
    expect(guest).toContain('\rfine\rabcd\x00');
    expect(guest.endsWith('\rlast')).toBe(true);
    expect(text(out.toBrowser)).toBe(LINE_REFUSED_MESSAGE);
  });

  it('counts escape sequences and editing keys as bytes of the line', () => {
    const limit = monitorLineLimit(6);
    expect(text(limit(Buffer.from('\x1b[A\x1b[D')).toGuest)).toBe('\x1b[A\x1b[D');
    expect(limit(Buffer.from('\x7f')).toBrowser).toBeDefined();
  });

  it(`lets ${MONITOR_MAX_LINE_BYTES} bytes through by default, not one more`, () => {
    const limit = monitorLineLimit();
    const line = Buffer.alloc(MONITOR_MAX_LINE_BYTES, 0x61);
    expect(limit(line)).toEqual({ toGuest: line, toBrowser: undefined });
    const refused = limit(Buffer.from('a'));
    expect(text(refused.toGuest)).toBe(CLEAR);
    expect(refused.toBrowser).toBeDefined();
  });
});
