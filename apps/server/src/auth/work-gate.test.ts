import { describe, expect, it } from 'vitest';
import { GateFullError, WorkGate } from './work-gate.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  const out: { promise: Promise<void>; resolve: () => void } = {
    promise: Promise.resolve(),
    resolve: () => undefined,
  };
  out.promise = new Promise<void>((r) => (out.resolve = r));
  return out;
}

describe('WorkGate', () => {
  it('runs at most `running` calls at once, queues `waiting` in order and refuses the rest', async () => {
    const gate = new WorkGate(1, 2);
    const order: string[] = [];
    let concurrent = 0;
    let most = 0;
    const blockers = [deferred(), deferred(), deferred()];
    const calls = blockers.map((b, i) =>
      gate.run(async () => {
        concurrent++;
        most = Math.max(most, concurrent);
        order.push(`start ${i}`);
        await b.promise;
        concurrent--;
        return i;
      }),
    );
    await expect(gate.run(() => Promise.resolve(99))).rejects.toBeInstanceOf(GateFullError);
    for (const b of blockers) b.resolve();
    expect(await Promise.all(calls)).toEqual([0, 1, 2]);
    expect(order).toEqual(['start 0', 'start 1', 'start 2']);
    expect(most).toBe(1);
    // Free again once drained.
    expect(await gate.run(() => Promise.resolve('again'))).toBe('again');
  });

  it('frees the slot when the work throws', async () => {
    const gate = new WorkGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(1))).toBe(1);
  });
});
