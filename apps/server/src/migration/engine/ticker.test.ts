import { describe, expect, it } from 'vitest';
import { Ticker } from './ticker.ts';

const timed = async (p: Promise<void>) => {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
};

describe('Ticker', () => {
  it('sleeps, and wake() ends the current sleep at once', async () => {
    const ticker = new Ticker();
    expect(await timed(ticker.sleep(30))).toBeGreaterThanOrEqual(25);
    const sleeping = ticker.sleep(5000);
    ticker.wake();
    expect(await timed(sleeping)).toBeLessThan(1000);
  });

  it('a wake between sleeps ends only the next one', async () => {
    const ticker = new Ticker();
    ticker.wake();
    expect(await timed(ticker.sleep(5000))).toBeLessThan(1000);
    expect(await timed(ticker.sleep(30))).toBeGreaterThanOrEqual(25);
  });

  it('an abort wakes once, so a poll reacts without spinning afterwards', async () => {
    const abort = new AbortController();
    const ticker = new Ticker(abort.signal);
    const sleeping = ticker.sleep(5000);
    abort.abort();
    expect(await timed(sleeping)).toBeLessThan(1000);
    expect(await timed(ticker.sleep(30))).toBeGreaterThanOrEqual(25);
    const already = new Ticker(abort.signal);
    expect(await timed(already.sleep(5000))).toBeLessThan(1000);
    ticker.dispose();
    already.dispose();
  });
});
