import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient } from '@virtweb/qmp';
import { FakeQmpServer } from '@virtweb/qmp/testing';
import { guestMemoryOf, guestStats } from './balloon-stats.ts';

const MiB = 2 ** 20;
/** qemu's `guest-stats` as 7.2 gives it: every statistic, -1 for those the guest does not give. */
const qemuStats = (lastUpdate: number, given: Record<string, number> = {}) => ({
  stats: {
    'stat-swap-in': -1,
    'stat-swap-out': -1,
    'stat-major-faults': -1,
    'stat-minor-faults': -1,
    'stat-free-memory': -1,
    'stat-total-memory': -1,
    'stat-available-memory': -1,
    'stat-disk-caches': -1,
    'stat-htlb-pgalloc': -1,
    'stat-htlb-pgfail': -1,
    ...given,
  },
  'last-update': lastUpdate,
});

describe('guest memory from the balloon statistics', () => {
  let fake: FakeQmpServer | undefined;
  let qmp: QmpClient | undefined;
  afterEach(async () => {
    await qmp?.close();
    await fake?.close();
  });

  const connect = async (reply: () => unknown) => {
    fake = await FakeQmpServer.start();
    fake.handle('qom-set', { return: {} });
    fake.handle('qom-get', () => ({ return: reply() }));
    qmp = await QmpClient.connect(fake.socketPath);
    return { fake, qmp };
  };

  it('turns polling on once per qemu and reads what the guest gives', async () => {
    const stats = qemuStats(1_765_000_000, {
      'stat-total-memory': 240 * MiB,
      'stat-free-memory': 150 * MiB,
      'stat-available-memory': 200 * MiB,
    });
    const { fake, qmp } = await connect(() => stats);
    const first = await guestStats(qmp);
    expect(first).toEqual({
      guestStats: 'reported',
      guest: {
        totalMiB: 240,
        usedMiB: 40,
        freeMiB: 150,
        availableMiB: 200,
        updatedAt: new Date(1_765_000_000_000).toISOString(),
      },
    });
    await guestStats(qmp);
    const sets = fake.received.filter((c) => c.execute === 'qom-set');
    expect(sets).toHaveLength(1);
    expect(sets[0]?.arguments).toEqual({
      path: '/machine/peripheral/balloon0',
      property: 'guest-stats-polling-interval',
      value: 2,
    });
    expect(fake.received.filter((c) => c.execute === 'qom-get')[0]?.arguments).toEqual({
      path: '/machine/peripheral/balloon0',
      property: 'guest-stats',
    });
  });

  it('waits for the first figures, then says the guest does not report them', async () => {
    const { qmp } = await connect(() => qemuStats(0));
    const t0 = Date.now();
    expect(await guestStats(qmp, t0)).toEqual({ guestStats: 'waiting' });
    expect(await guestStats(qmp, t0 + 60_000)).toEqual({ guestStats: 'not-reported' });
  });

  it('counts used memory from free memory when the guest gives no "available", and ignores what is unusable', () => {
    const older = qemuStats(1_765_000_000, { 'stat-total-memory': 100 * MiB, 'stat-free-memory': 30 * MiB });
    expect(guestMemoryOf(older)).toMatchObject({ totalMiB: 100, usedMiB: 70, freeMiB: 30 });
    expect(guestMemoryOf(older)).not.toHaveProperty('availableMiB');
    // Updated once, but without total or free memory: nothing to show.
    expect(guestMemoryOf(qemuStats(1_765_000_000, { 'stat-free-memory': 30 * MiB }))).toBeUndefined();
    expect(guestMemoryOf(qemuStats(0, { 'stat-total-memory': MiB, 'stat-free-memory': 0 }))).toBeUndefined();
    expect(
      guestMemoryOf(qemuStats(1, { 'stat-total-memory': 10 * MiB, 'stat-free-memory': 20 * MiB })),
    ).toBeUndefined();
    expect(guestMemoryOf({ stats: 'nope' })).toBeUndefined();
    expect(guestMemoryOf(undefined)).toBeUndefined();
  });
});
