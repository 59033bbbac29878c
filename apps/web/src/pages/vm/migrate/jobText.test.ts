import { describe, expect, it } from 'vitest';
import type { MigrationJob, MigrationProgress } from '@virtweb/protocol';
import { isCompletedMove, jobOutcome, jobTitle, percentOf, phaseText, progressFacts } from './jobText.ts';

const job = (patch: Partial<MigrationJob>): MigrationJob => ({
  id: 'j1',
  vmId: '0123456789ab',
  vmName: 'web1',
  kind: 'live',
  target: 'aaaaaaaaaaaa',
  targetName: 'host-b',
  phase: 'migrating',
  checks: [],
  startedAt: '2026-01-01T10:00:00.000Z',
  ...patch,
});

const progress: MigrationProgress = {
  fraction: 0.4567,
  transferredBytes: 48 * 2 ** 20,
  remainingBytes: 80 * 2 ** 20,
  totalBytes: 128 * 2 ** 20,
  dirtyPagesRate: 1234.4,
  expectedDowntimeMs: 312.6,
  passes: 2,
  mbps: 987.654,
};

const facts = (kind: MigrationJob['kind'], p: MigrationProgress) =>
  Object.fromEntries(progressFacts(kind, p).map((f) => [f.label, f.value]));

describe('job words', () => {
  it('says what a job does and where to', () => {
    expect(jobTitle(job({}))).toBe('Migrating web1 to host-b');
    expect(jobTitle(job({ kind: 'offline' }))).toBe('Moving web1 (stopped) to host-b');
    expect(jobTitle(job({ kind: 'restore', targetName: 's.zst' }))).toBe('Restoring web1 from s.zst');
  });

  it('names the copying phase after what moves', () => {
    expect(phaseText('live', 'migrating')).toBe('copying the memory');
    expect(phaseText('save', 'migrating')).toBe('writing the state file');
    expect(phaseText('restore', 'migrating')).toBe('reading the state file');
    expect(phaseText('live', 'mirroring')).toBe('copying the disks');
  });

  it('turns the fraction into a whole percentage within 0..100', () => {
    expect(percentOf({ fraction: 0.4567 })).toBe(45);
    expect(percentOf({ fraction: 1.2 })).toBe(100);
    expect(percentOf({ fraction: -1 })).toBe(0);
    expect(percentOf({ fraction: Number.NaN })).toBe(0);
  });

  it('lists the memory figures of a live migration', () => {
    expect(facts('live', progress)).toEqual({
      Transferred: '48 MiB',
      Remaining: '80 MiB',
      Total: '128 MiB',
      'Dirty pages': '1234 pages/s',
      'Expected downtime': '313 ms',
      Passes: '2',
      Speed: '987.7 Mbit/s',
    });
  });

  it('leaves out what qemu did not report, and the memory figures of a save', () => {
    const bare = { ...progress, expectedDowntimeMs: undefined, mbps: undefined };
    expect(Object.keys(facts('live', bare))).not.toContain('Expected downtime');
    expect(Object.keys(facts('save', bare))).toEqual(['Transferred', 'Remaining', 'Total']);
  });

  it('shows the disk copy when there is one', () => {
    const p = { ...progress, disk: { copiedBytes: 2 ** 30, totalBytes: 4 * 2 ** 30 } };
    expect(facts('live', p)['Disks copied']).toBe('1 GiB of 4 GiB');
  });
});

describe('job outcome', () => {
  it('is undefined while the job runs', () => {
    expect(jobOutcome(job({ phase: 'switching' }))).toBeUndefined();
  });

  it('tells where the guest went, how long it took and how long it paused', () => {
    const done = job({ phase: 'completed', totalTimeMs: 2140.2, downtimeMs: 41 });
    expect(jobOutcome(done)).toEqual({ ok: true, text: 'Moved to host-b in 2140 ms (downtime 41 ms).' });
    expect(isCompletedMove(done)).toBe(true);
    expect(jobOutcome(job({ kind: 'offline', phase: 'completed', totalTimeMs: 90 }))?.text).toBe(
      'Moved to host-b in 90 ms.',
    );
  });

  it('gives the server’s reason for a failure (it says where the guest is)', () => {
    const failed = job({ phase: 'failed', error: 'the target qemu exited; the VM is running here' });
    expect(jobOutcome(failed, 'running')).toEqual({
      ok: false,
      text: 'Migration to host-b failed: the target qemu exited; the VM is running here.',
    });
    expect(isCompletedMove(failed)).toBe(false);
    expect(jobOutcome(job({ phase: 'failed' }), 'paused')?.text).toBe(
      'Migration to host-b failed. The guest is paused here.',
    );
  });

  it('says where the guest is after a cancel, from its state here', () => {
    const cancelled = job({ phase: 'cancelled', error: 'cancelled; the VM is running here' });
    expect(jobOutcome(cancelled, 'running')?.text).toBe(
      'Migration to host-b was cancelled. The guest keeps running here.',
    );
    expect(jobOutcome({ ...cancelled, kind: 'offline' }, 'stopped')?.text).toBe(
      'Moving to host-b was cancelled. The guest is stopped here.',
    );
    expect(jobOutcome(cancelled)?.text).toBe('Migration to host-b was cancelled.');
  });

  it('describes saves and restores', () => {
    const saved = job({ kind: 'save', phase: 'completed', targetName: 's.zst', totalTimeMs: 500 });
    expect(jobOutcome(saved)?.text).toBe('Saved the state to s.zst in 500 ms. The guest is stopped.');
    expect(isCompletedMove(saved)).toBe(false);
    expect(jobOutcome(job({ kind: 'restore', phase: 'failed', targetName: 's.zst', error: 'x' }))?.text).toBe(
      'Restoring from s.zst failed: x.',
    );
  });
});
