import { describe, expect, it } from 'vitest';
import { readCookie } from './cookies.ts';

describe('readCookie', () => {
  it('finds one cookie among several and tolerates junk', () => {
    expect(readCookie('a=1; virtweb_session=abc%3D; b=2', 'virtweb_session')).toBe('abc=');
    expect(readCookie('virtweb_sessionx=1', 'virtweb_session')).toBeUndefined();
    expect(readCookie(undefined, 'x')).toBeUndefined();
    expect(readCookie('x=%E0%A4%A', 'x')).toBeUndefined();
    expect(readCookie('novalue; x=2', 'x')).toBe('2');
  });
});
