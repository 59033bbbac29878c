import type { MigrationPhase, MigrationProgress } from '@virtweb/protocol';
import type { QmpBlockJob } from '@virtweb/qmp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMigrationError } from './errors.ts';
import { runLiveMigration, type LiveMigrationInput } from './live-migration.ts';
import type { MirrorTarget } from './mirror.ts';
import {
  argsOf,
  commandNames,
  fakeQemu,
  ram,
  scriptMigrate,
  type FakeQemu,
  PLAIN_OPTIONS,
} from './test-support.ts';

const OPTIONS = PLAIN_OPTIONS;
const TARGET: MirrorTarget = {
  targetHost: '127.0.0.1',
  port: 10809,
  disks: [
    { node: 'disk0', exportName: 'vm-disk0' },
    { node: 'disk2', exportName: 'vm-disk2' },
  ],
};

let q: FakeQemu;
beforeEach(async () => (q = await fakeQemu('running')));

/** A live migration with the disks mirrored to TARGET; its error (or result). */
const migrateWithMirror = (over: Partial<LiveMigrationInput> = {}): Promise<unknown> =>
  runLiveMigration(q.qmp, {
    uri: 'tcp:127.0.0.1:4444',
    options: OPTIONS,
    mirror: TARGET,
    pollIntervalMs: 5,
    ...over,
  }).catch((e: unknown) => e);
afterEach(() => q.close());

function job(device: string, offset: number, ready: boolean): QmpBlockJob {
  return {
    type: 'mirror',
    device,
    len: 100,
    offset,
    busy: false,
    paused: false,
    speed: 0,
    'io-status': 'ok',
    ready,
    status: ready ? 'ready' : 'running',
    'auto-finalize': true,
    'auto-dismiss': true,
  };
}

/** Block jobs as qemu would list them: copying, then READY, gone once cancelled (COMPLETED sent). */
function scriptJobs(readyAfterPolls: number): void {
  let polls = 0;
  const ended = new Set<string>();
  q.fake.handle('query-block-jobs', () => {
    polls++;
    const ready = polls > readyAfterPolls;
    const jobs = ['migrate-disk0', 'migrate-disk2'].filter((d) => !ended.has(d));
    return { return: jobs.map((d) => job(d, ready ? 100 : 40, ready)) };
  });
  q.fake.handle('block-job-cancel', async (c) => {
    const device = String(c.arguments?.device);
    ended.add(device);
    await q.fake.emitEvent('BLOCK_JOB_COMPLETED', {
      type: 'mirror',
      device,
      len: 100,
      offset: 100,
      speed: 0,
    });
    return { return: {} };
  });
}

describe('runLiveMigration with copy storage', () => {
  it('mirrors every disk to its NBD export, migrates once all are READY, then ends the mirrors without pivot', async () => {
    scriptJobs(2);
    scriptMigrate(q.fake, [
      { status: 'active', ram: ram({}) },
      { status: 'completed', 'total-time': 5 },
    ]);
    const seen: { p: MigrationProgress; phase: MigrationPhase }[] = [];
    await runLiveMigration(q.qmp, {
      uri: 'tcp:127.0.0.1:4444',
      options: OPTIONS,
      mirror: TARGET,
      pollIntervalMs: 5,
      onProgress: (p, phase) => seen.push({ p, phase }),
    });
    expect(commandNames(q.fake)).toEqual([
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'blockdev-add',
      'blockdev-mirror',
      'blockdev-add',
      'blockdev-mirror',
      'migrate',
      'block-job-cancel',
      'block-job-cancel',
      'blockdev-del',
      'blockdev-del',
    ]);
    expect(argsOf(q.fake, 'blockdev-add')).toEqual({
      driver: 'nbd',
      'node-name': 'migrate-nbd-disk0',
      server: { type: 'inet', host: '127.0.0.1', port: '10809' },
      export: 'vm-disk0',
    });
    expect(argsOf(q.fake, 'blockdev-mirror', 2)).toMatchObject({
      'job-id': 'migrate-disk2',
      device: 'disk2',
      target: 'migrate-nbd-disk2',
      sync: 'full',
    });
    expect(argsOf(q.fake, 'block-job-cancel')).toEqual({ device: 'migrate-disk0' });
    expect(argsOf(q.fake, 'blockdev-del', 2)).toEqual({ 'node-name': 'migrate-nbd-disk2' });
    expect(seen[0]).toMatchObject({
      phase: 'mirroring',
      p: { fraction: 0.4, disk: { copiedBytes: 80, totalBytes: 200 } },
    });
    expect(seen.find((e) => e.phase === 'migrating')?.p.disk).toEqual({ copiedBytes: 200, totalBytes: 200 });
  });

  it("a mirror that fails stops everything before RAM moves, with the job's error", async () => {
    let polls = 0;
    let cancelled = false;
    q.fake.handle('block-job-cancel', () => {
      cancelled = true;
      return { return: {} };
    });
    q.fake.handle('query-block-jobs', async () => {
      if (cancelled) return { return: [] };
      if (++polls < 2) return { return: [job('migrate-disk0', 10, false), job('migrate-disk2', 10, false)] };
      await q.fake.emitEvent('BLOCK_JOB_COMPLETED', {
        type: 'mirror',
        device: 'migrate-disk2',
        len: 100,
        offset: 10,
        speed: 0,
        error: 'Connection reset by peer',
      });
      return { return: [job('migrate-disk0', 10, false)] };
    });
    const err = await migrateWithMirror();
    expect(isMigrationError(err) && err.outcome).toBe('failed');
    expect(String(err)).toMatch(/disk copy failed: mirror migrate-disk2: Connection reset by peer/);
    const names = commandNames(q.fake);
    expect(names).not.toContain('migrate');
    expect(argsOf(q.fake, 'block-job-cancel')).toEqual({ device: 'migrate-disk0', force: true });
    expect(names.filter((c) => c === 'blockdev-del')).toHaveLength(2);
  });

  it("connects to the exports over TLS with the stream's client credentials when encrypted", async () => {
    scriptJobs(1);
    scriptMigrate(q.fake, [{ status: 'completed', 'total-time': 5 }]);
    await migrateWithMirror({ tls: { dir: '/run/vm/stream-tls' } });
    expect(commandNames(q.fake).indexOf('object-add')).toBeLessThan(
      commandNames(q.fake).indexOf('blockdev-add'),
    );
    expect(argsOf(q.fake, 'blockdev-add')).toMatchObject({
      driver: 'nbd',
      'tls-creds': 'vw-mig-tls',
      'tls-hostname': 'virtweb-migration',
    });
  });

  it('cancel during the disk copy aborts the mirrors (force) and reports cancelled', async () => {
    let cancels = 0;
    q.fake.handle('query-block-jobs', () => ({
      return: cancels >= 2 ? [] : [job('migrate-disk0', 10, false), job('migrate-disk2', 10, false)],
    }));
    q.fake.handle('block-job-cancel', () => {
      cancels++;
      return { return: {} };
    });
    const abort = new AbortController();
    const err = await runLiveMigration(q.qmp, {
      uri: 'tcp:127.0.0.1:4444',
      options: OPTIONS,
      mirror: TARGET,
      pollIntervalMs: 5,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    }).catch((e: unknown) => e);
    expect(isMigrationError(err) && err.outcome).toBe('cancelled');
    expect(argsOf(q.fake, 'block-job-cancel', 2)).toEqual({ device: 'migrate-disk2', force: true });
    expect(commandNames(q.fake)).not.toContain('migrate');
    expect(commandNames(q.fake)).not.toContain('migrate_cancel');
  });

  it('a mirror that fails while RAM moves: the stream is cancelled first, then the jobs end', async () => {
    let polls = 0;
    let cancelled = false;
    q.fake.handle('query-block-jobs', async () => {
      polls++;
      if (polls === 4) {
        await q.fake.emitEvent('BLOCK_JOB_COMPLETED', {
          type: 'mirror',
          device: 'migrate-disk0',
          len: 100,
          offset: 100,
          speed: 0,
          error: 'Input/output error',
        });
      }
      const jobs = polls >= 4 ? ['migrate-disk2'] : ['migrate-disk0', 'migrate-disk2'];
      return { return: cancelled ? [] : jobs.map((d) => job(d, 100, true)) };
    });
    q.fake.handle('block-job-cancel', () => {
      cancelled = true;
      return { return: {} };
    });
    let migrateCancelled = false;
    q.fake.handle('migrate_cancel', () => {
      migrateCancelled = true;
      return { return: {} };
    });
    q.fake.handle('query-migrate', () => ({
      return: migrateCancelled ? { status: 'cancelled' } : { status: 'active', ram: ram({}) },
    }));
    const err = await runLiveMigration(q.qmp, {
      uri: 'tcp:127.0.0.1:4444',
      options: OPTIONS,
      mirror: TARGET,
      pollIntervalMs: 5,
      onProgress: () => {
        throw new Error('a broken progress listener does not matter');
      },
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/mirror migrate-disk0: Input\/output error/);
    const names = commandNames(q.fake);
    expect(names.indexOf('migrate_cancel')).toBeGreaterThan(names.indexOf('migrate'));
    expect(names.indexOf('block-job-cancel')).toBeGreaterThan(names.indexOf('migrate_cancel'));
    expect(argsOf(q.fake, 'block-job-cancel')).toEqual({ device: 'migrate-disk2', force: true });
  });

  it('a job that cannot start removes the nodes made so far', async () => {
    q.fake.handle('blockdev-mirror', {
      error: { class: 'GenericError', desc: "Cannot find device='disk0'" },
    });
    const err = await migrateWithMirror();
    expect(isMigrationError(err) && err.qemuReason).toBe("Cannot find device='disk0'");
    expect(argsOf(q.fake, 'blockdev-del')).toEqual({ 'node-name': 'migrate-nbd-disk0' });
  });
});
