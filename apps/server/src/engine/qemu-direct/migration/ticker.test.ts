import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from './ticker.ts';

// On fake timers: a sleep ends after exactly its time, a woken one with no time passing at all.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A sleep, and whether it has ended by now. */
const watch = (sleep: Promise<void>): { ended: () => boolean } => {
  let ended = false;
  void sleep.then(() => (ended = true));
  return { ended: () => ended };
};

/** Lets `ms` of (fake) time pass, running what becomes due and the promise callbacks it sets off. */
const pass = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A 30 ms sleep lasts 30 ms: not over after 29. */
async function expectFullSleep(ticker: Ticker): Promise<void> {
  const sleep = watch(ticker.sleep(30));
  await pass(29);
  expect(sleep.ended()).toBe(false);
  await pass(1);
  expect(sleep.ended()).toBe(true);
}

describe('Ticker', () => {
  it('sleeps, and wake() ends the current sleep at once', async () => {
    const ticker = new Ticker();
    await expectFullSleep(ticker);
    const sleeping = watch(ticker.sleep(5000));
    ticker.wake();
    await pass(0);
    expect(sleeping.ended()).toBe(true);
  });

  it('a wake between sleeps ends only the next one', async () => {
    const ticker = new Ticker();
    ticker.wake();
    const next = watch(ticker.sleep(5000));
    await pass(0);
    expect(next.ended()).toBe(true);
    await expectFullSleep(ticker);
  });

  it('an abort wakes once, so a poll reacts without spinning afterwards', async () => {
    const abort = new AbortController();
    const ticker = new Ticker(abort.signal);
    const sleeping = watch(ticker.sleep(5000));
    abort.abort();
    await pass(0);
    expect(sleeping.ended()).toBe(true);
    await expectFullSleep(ticker);
    const already = new Ticker(abort.signal);
    const first = watch(already.sleep(5000));
    await pass(0);
    expect(first.ended()).toBe(true);
    ticker.dispose();
    already.dispose();
  });
});
