import { describe, expect, it } from 'vitest';
import { LOGIN_LIMITS, LoginThrottle } from './login-throttle.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('LoginThrottle', () => {
  it('lets a client fail 5 times, then makes it wait 1 s, 2 s, 4 s ... up to 15 min', () => {
    const c = clock();
    const throttle = new LoginThrottle({ ...LOGIN_LIMITS, globalPerSecond: 1000 }, c.now);
    for (let i = 0; i < 4; i++) expect(throttle.admit('a')).toBeUndefined();
    // The fifth is admitted and starts the back-off: a sixth at once must wait.
    expect(throttle.admit('a')).toBeUndefined();
    expect(throttle.admit('a')).toEqual({ retryAfterMs: 1000, reason: 'client' });
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      const wait = throttle.admit('a')?.retryAfterMs ?? 0;
      waits.push(wait);
      c.advance(wait);
      expect(throttle.admit('a')).toBeUndefined();
    }
    expect(waits.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(waits.at(-1)).toBe(15 * 60_000);
    // The wait runs from the failure, not from the start of a check that took long.
    c.advance(15 * 60_000);
    expect(throttle.admit('a')).toBeUndefined();
    c.advance(3000);
    throttle.failed('a');
    expect(throttle.admit('a')?.retryAfterMs).toBe(15 * 60_000);
    // Another client is not affected.
    expect(throttle.admit('b')).toBeUndefined();
  });

  it('starts a client afresh after a success', () => {
    const c = clock();
    const throttle = new LoginThrottle({ ...LOGIN_LIMITS, globalPerSecond: 1000 }, c.now);
    for (let i = 0; i < 5; i++) throttle.admit('a');
    c.advance(1000);
    expect(throttle.admit('a')).toBeUndefined();
    throttle.succeeded('a');
    for (let i = 0; i < 5; i++) expect(throttle.admit('a')).toBeUndefined();
  });

  it('bounds attempts per second across all clients', () => {
    const c = clock();
    const throttle = new LoginThrottle(LOGIN_LIMITS, c.now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.admit(`10.0.0.${i}`)).toBeUndefined();
      c.advance(100);
    }
    expect(throttle.admit('10.0.0.99')).toEqual({ retryAfterMs: 500, reason: 'global' });
    c.advance(500);
    expect(throttle.admit('10.0.0.99')).toBeUndefined();
  });

  it('remembers a bounded number of clients and forgets old ones', () => {
    const c = clock();
    const throttle = new LoginThrottle({ ...LOGIN_LIMITS, globalPerSecond: 1e9, maxClients: 100 }, c.now);
    for (let i = 0; i < 1000; i++) throttle.admit(`client ${i}`);
    expect(throttle.size).toBe(100);
    for (let i = 0; i < 5; i++) throttle.admit('blocked');
    c.advance(LOGIN_LIMITS.forgetAfterMs + 1);
    throttle.admit('new');
    expect(throttle.size).toBe(1);
  });
});
