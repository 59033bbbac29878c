import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsSampler, type SampledGuest } from './sampler.ts';

/** A "guest" that is this very test process, with a fake QMP that reports growing disk counters. */
function selfGuest(): SampledGuest & { calls: string[] } {
  let rd = 0;
  const calls: string[] = [];
  const qmp = {
    execute: (cmd: string): Promise<unknown> => {
      calls.push(cmd);
      if (cmd === 'query-cpus-fast') return Promise.resolve([{ 'cpu-index': 0, 'thread-id': process.pid }]);
      rd += 1_000_000;
      return Promise.resolve([
        { stats: { rd_bytes: rd, wr_bytes: 0, rd_operations: rd / 1000, wr_operations: 0 } },
      ]);
    },
  } as unknown as SampledGuest['qmp'];
  return { id: 'self', pid: process.pid, memoryBytes: 1 << 28, qmp, calls };
}

describe('MetricsSampler', () => {
  it('turns counters into rates: a busy process shows CPU, disk bytes per second from blockstats', async () => {
    const sampler = new MetricsSampler();
    const g = selfGuest();
    const t0 = Date.now();
    const first = await sampler.tick([g], t0);
    expect(first.vms).toEqual([]); // the first round only records counters
    expect(first.host.cpus).toBeGreaterThan(0);
    const until = Date.now() + 500;
    while (Date.now() < until) Math.sqrt(Math.random()); // burn CPU for 0.5 s
    const t1 = Date.now();
    const second = await sampler.tick([g], t1);
    const point = second.vms[0]?.point;
    // The machine may be shared: only require a clearly busy, single-threaded figure.
    expect(point?.cpu).toBeGreaterThan(10);
    expect(point?.cpu).toBeLessThan(150);
    expect(point?.diskRd).toBeCloseTo(1_000_000 / ((t1 - t0) / 1000), 0); // 1 MB more since the first tick
    expect(point?.vcpus).toHaveLength(1);
    expect(point?.rss).toBeGreaterThan(1 << 20);
    expect(point?.netRx).toBeNull();
    // One QMP round trip per guest per tick; the vCPU thread ids are asked once.
    expect(g.calls.filter((c) => c === 'query-cpus-fast')).toHaveLength(1);
    expect(g.calls.filter((c) => c === 'query-blockstats')).toHaveLength(2);
  });

  it('skips a guest whose process is gone', async () => {
    const sampler = new MetricsSampler();
    const g = { ...selfGuest(), pid: 2 ** 22 + 12345 };
    await sampler.tick([g]);
    expect((await sampler.tick([g])).vms).toEqual([]);
  });
});

describe('MetricsSampler NIC counters', () => {
  it("reads tap-backed NICs' counters from sysfs, as the guest sees them, per NIC and summed", async () => {
    const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-sysnet-'));
    const write = (tap: string, c: Record<string, number>) => {
      fs.mkdirSync(path.join(sys, tap, 'statistics'), { recursive: true });
      for (const [name, n] of Object.entries(c))
        fs.writeFileSync(path.join(sys, tap, 'statistics', name), `${n}\n`);
    };
    const counters = (rx: number, tx: number) => ({
      rx_bytes: rx,
      tx_bytes: tx,
      rx_packets: rx / 100,
      tx_packets: tx / 100,
    });
    write('vwtap0', counters(1000, 5000));
    write('vwtap1', counters(0, 0));
    const sampler = new MetricsSampler(sys);
    const g = {
      ...selfGuest(),
      nics: [
        { slot: 0, tap: 'vwtap0' },
        { slot: 3, tap: 'vwtap1' },
        { slot: 5, tap: 'gone' },
        { slot: 6, tap: '../../etc' },
      ],
    };
    await sampler.tick([g], 0);
    // 2 s later: tap 0 transmitted 20 kB (the guest received them) and received 2 kB (the guest sent them).
    write('vwtap0', counters(3000, 25000));
    write('vwtap1', counters(400, 0));
    const point = (await sampler.tick([g], 2000)).vms[0]?.point;
    expect(point?.nics).toEqual([
      { slot: 0, rx: 10000, tx: 1000, rxPkts: 100, txPkts: 10 },
      { slot: 3, rx: 0, tx: 200, rxPkts: 0, txPkts: 2 },
    ]);
    expect([point?.netRx, point?.netTx, point?.netRxPkts, point?.netTxPkts]).toEqual([10000, 1200, 100, 12]);
    fs.rmSync(sys, { recursive: true });
  });

  it('has no net rates for a guest without tap-backed NICs', async () => {
    const sampler = new MetricsSampler(os.tmpdir());
    const g = { ...selfGuest(), nics: [] };
    await sampler.tick([g], 0);
    const point = (await sampler.tick([g], 1000)).vms[0]?.point;
    expect(point?.netRx).toBeNull();
    expect(point?.nics).toBeUndefined();
  });
});
