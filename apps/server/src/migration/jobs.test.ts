import type { MigrationJob, ServerEvent } from '@virtweb/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../events/bus.ts';
import { KEEP_FINISHED_MS, MigrationJobs } from './jobs.ts';

const progress = (fraction: number) => ({
  fraction,
  transferredBytes: fraction * 100,
  remainingBytes: 100 - fraction * 100,
  totalBytes: 100,
  dirtyPagesRate: 0,
  passes: 1,
});

describe('MigrationJobs', () => {
  let bus: EventBus;
  let published: MigrationJob[];
  beforeEach(() => {
    vi.useFakeTimers();
    bus = new EventBus();
    published = [];
    bus.subscribe((e: ServerEvent) => {
      if (e.type === 'migration.updated') published.push(e.job);
    });
  });
  afterEach(() => vi.useRealTimers());

  const init = { vmId: 'v1', vmName: 'web1', kind: 'live' as const, target: 'p1', targetName: 'host-b' };

  it('publishes progress at most twice a second, the latest values, and the end at once', () => {
    const jobs = new MigrationJobs(bus);
    const h = jobs.start(init);
    expect(published.map((j) => j.phase)).toEqual(['checking']);
    for (let i = 1; i <= 10; i++) {
      h.progress(progress(i / 10), 'migrating');
      vi.advanceTimersByTime(100);
    }
    // 1 s of updates every 100 ms: the first at once, then one per 500 ms with the latest values.
    expect(published.length).toBeLessThanOrEqual(4);
    expect(published.at(-1)?.progress?.fraction).toBeGreaterThanOrEqual(0.5);
    h.finish({ phase: 'completed', totalTimeMs: 5, downtimeMs: 1 });
    expect(published.at(-1)).toMatchObject({ phase: 'completed', totalTimeMs: 5, downtimeMs: 1 });
    expect(published.at(-1)?.endedAt).toBeDefined();
    const count = published.length;
    vi.advanceTimersByTime(2000);
    h.progress(progress(1));
    expect(published.length).toBe(count); // nothing after the end
  });

  it('allows one job per VM, cancels by aborting, refuses to cancel an ended job', () => {
    const jobs = new MigrationJobs(bus);
    const h = jobs.start(init);
    expect(() => jobs.start(init)).toThrow(/busy/);
    jobs.cancel(h.job.id);
    expect(h.signal.aborted).toBe(true);
    expect(h.abortReason).toBeUndefined();
    h.finish({ phase: 'cancelled' });
    expect(() => jobs.cancel(h.job.id)).toThrow(/ended/);
    expect(() => jobs.start(init)).not.toThrow();
  });

  it('refuses a cancel once the guest is being started on the target', () => {
    const jobs = new MigrationJobs(bus);
    const h = jobs.start(init);
    h.setPhase('switching');
    expect(() => jobs.cancel(h.job.id)).toThrow(/too late/);
    expect(h.signal.aborted).toBe(false);
  });

  it('lists newest first and forgets finished jobs after an hour', () => {
    const jobs = new MigrationJobs(bus);
    const first = jobs.start(init);
    first.finish({ phase: 'failed', error: 'x' });
    vi.advanceTimersByTime(1000);
    const second = jobs.start({ ...init, vmId: 'v2' });
    expect(jobs.list().map((j) => j.id)).toEqual([second.job.id, first.job.id]);
    vi.advanceTimersByTime(KEEP_FINISHED_MS + 1);
    expect(jobs.list().map((j) => j.id)).toEqual([second.job.id]);
  });
});
