import { describe, expect, it } from 'vitest';
import type { MigrationJob, MigrationPhase } from '@virtweb/protocol';
import { isJobEnded, latestJobOf, upsertJob } from './migrationJobs.ts';

const job = (id: string, patch: Partial<MigrationJob> = {}): MigrationJob => ({
  id,
  vmId: 'vm1',
  vmName: 'web1',
  kind: 'live',
  target: 'p',
  targetName: 'host-b',
  phase: 'migrating',
  checks: [],
  startedAt: '2026-01-01T10:00:00.000Z',
  ...patch,
});

describe('migration jobs cache', () => {
  it('puts a new job in front and replaces a known one', () => {
    const list = [job('a')];
    expect(upsertJob(list, job('b')).map((j) => j.id)).toEqual(['b', 'a']);
    const moved = upsertJob(list, job('a', { phase: 'switching' }));
    expect(moved).toEqual([job('a', { phase: 'switching' })]);
    expect(list[0]?.phase).toBe('migrating');
  });

  it('never turns an ended job back into a running one (a late 202 answer)', () => {
    const list = [job('a', { phase: 'cancelled' })];
    expect(upsertJob(list, job('a', { phase: 'migrating' }))[0]?.phase).toBe('cancelled');
    expect(upsertJob(list, job('a', { phase: 'cancelled', error: 'by you' }))[0]?.error).toBe('by you');
  });

  it('finds the newest job of a VM', () => {
    const list = [
      job('old', { startedAt: '2026-01-01T09:00:00.000Z', phase: 'failed' }),
      job('other', { vmId: 'vm2', startedAt: '2026-01-01T11:00:00.000Z' }),
      job('new', { startedAt: '2026-01-01T10:00:00.000Z' }),
    ];
    expect(latestJobOf(list, 'vm1')?.id).toBe('new');
    expect(latestJobOf(list, 'vm3')).toBeUndefined();
  });

  it('knows which phases are final', () => {
    const final: MigrationPhase[] = ['completed', 'failed', 'cancelled'];
    expect(final.every((phase) => isJobEnded({ phase }))).toBe(true);
    expect(isJobEnded({ phase: 'postcopy' })).toBe(false);
  });
});
