import type { MigrationPhase, MigrationProgress } from '@virtweb/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLiveMigration, type LiveMigrationInput } from './live-migration.ts';
import {
  argsOf,
  commandNames,
  expectMigrationError,
  fakeQemu,
  ram,
  scriptMigrate,
  type FakeQemu,
  PLAIN_OPTIONS,
} from './test-support.ts';

const OPTIONS = PLAIN_OPTIONS;
const MiB = 1024 * 1024;

let q: FakeQemu;
beforeEach(async () => (q = await fakeQemu('running')));
afterEach(() => q.close());

function migrate(over: Partial<LiveMigrationInput> = {}) {
  const progress: { p: MigrationProgress; phase: MigrationPhase }[] = [];
  const run = runLiveMigration(q.qmp, {
    uri: 'tcp:127.0.0.1:4444',
    options: OPTIONS,
    pollIntervalMs: 5,
    onProgress: (p, phase) => progress.push({ p, phase }),
    ...over,
  });
  return { run, progress };
}

describe('runLiveMigration', () => {
  it('sets every option, migrates, maps the progress and returns qemu figures', async () => {
    scriptMigrate(q.fake, [
      { status: 'setup' },
      {
        status: 'active',
        ram: { ...ram({ transferred: 100, remaining: 750, passes: 1 }), 'dirty-pages-rate': 7 },
        'expected-downtime': 30,
      },
      { status: 'completed', 'total-time': 1234, downtime: 56, ram: ram({ transferred: 900, passes: 3 }) },
    ]);
    const options = { ...OPTIONS, bandwidthMiBs: 64, maxDowntimeMs: 100, autoConverge: true, multifd: true };
    const { run, progress } = migrate({ options, tuning: { multifdChannels: 4 } });
    const result = await run;
    expect(result).toMatchObject({ totalTimeMs: 1234, downtimeMs: 56, passes: 3, postcopy: false });
    expect(commandNames(q.fake)).toEqual(['migrate-set-capabilities', 'migrate-set-parameters', 'migrate']);
    expect(argsOf(q.fake, 'migrate-set-capabilities')?.capabilities).toEqual([
      { capability: 'events', state: true },
      { capability: 'auto-converge', state: true },
      { capability: 'postcopy-ram', state: false },
      { capability: 'multifd', state: true },
      { capability: 'xbzrle', state: false },
    ]);
    expect(argsOf(q.fake, 'migrate-set-parameters')).toEqual({
      'max-bandwidth': 64 * MiB,
      'downtime-limit': 100,
      'max-postcopy-bandwidth': 64 * MiB,
      'multifd-channels': 4,
      'multifd-compression': 'none',
      'tls-creds': '',
      'tls-hostname': '',
    });
    expect(argsOf(q.fake, 'migrate')).toEqual({ uri: 'tcp:127.0.0.1:4444' });
    const active = progress.find((e) => e.p.transferredBytes === 100);
    expect(active).toEqual({
      phase: 'migrating',
      p: {
        fraction: 0.25,
        transferredBytes: 100,
        remainingBytes: 750,
        totalBytes: 1000,
        dirtyPagesRate: 7,
        expectedDowntimeMs: 30,
        passes: 1,
        mbps: 100,
      },
    });
    expect(progress.at(-1)?.phase).toBe('switching');
  });

  it("fails with qemu's error-desc and resumes a source that the failure left paused", async () => {
    q.fake.handle('migrate', () => {
      q.state.status = 'postmigrate';
      return { return: {} };
    });
    scriptMigrate(q.fake, [
      { status: 'active', ram: ram({}) },
      { status: 'failed', 'error-desc': 'Unable to write to socket: Broken pipe' },
    ]);
    const err = await expectMigrationError(migrate().run);
    expect(err).toMatchObject({ outcome: 'failed', qemuReason: 'Unable to write to socket: Broken pipe' });
    expect(err.message).toBe('migration failed: Unable to write to socket: Broken pipe');
    expect(commandNames(q.fake).at(-1)).toBe('cont');
  });

  it('does not touch a source that qemu restarted itself, nor one that was paused before', async () => {
    scriptMigrate(q.fake, [{ status: 'failed', 'error-desc': 'Connection refused' }]);
    await expectMigrationError(migrate().run);
    expect(commandNames(q.fake)).not.toContain('cont');

    q.state.status = 'paused';
    await expectMigrationError(migrate().run);
    expect(commandNames(q.fake)).not.toContain('cont');
  });

  it('cancel: sends migrate_cancel once and reports cancelled; the running source is left alone', async () => {
    let cancelled = false;
    q.fake.handle('migrate_cancel', () => {
      cancelled = true;
      return { return: {} };
    });
    q.fake.handle('query-migrate', () => ({
      return: cancelled ? { status: 'cancelled' } : { status: 'active', ram: ram({ transferred: 5 }) },
    }));
    const abort = new AbortController();
    const { run } = migrate({ signal: abort.signal, onProgress: () => abort.abort() });
    const err = await expectMigrationError(run);
    expect(err).toMatchObject({ outcome: 'cancelled', message: 'migration cancelled' });
    expect(commandNames(q.fake).filter((c) => c === 'migrate_cancel')).toHaveLength(1);
    expect(commandNames(q.fake)).not.toContain('cont');
  });

  it('a stream that completed before the cancel took effect still counts as cancelled: source resumed', async () => {
    q.fake.handle('migrate_cancel', () => {
      q.state.status = 'postmigrate';
      return { return: {} };
    });
    scriptMigrate(q.fake, [{ status: 'active', ram: ram({}) }, { status: 'completed' }]);
    const abort = new AbortController();
    const err = await expectMigrationError(
      migrate({ signal: abort.signal, onProgress: () => abort.abort() }).run,
    );
    expect(err.outcome).toBe('cancelled');
    expect(commandNames(q.fake).slice(-2)).toEqual(['migrate_cancel', 'cont']);
  });

  it('post-copy: switches after the first full pass, then ignores a cancel', async () => {
    const abort = new AbortController();
    scriptMigrate(q.fake, [
      { status: 'active', ram: ram({ passes: 1 }) },
      { status: 'active', ram: ram({ passes: 2 }) },
      { status: 'postcopy-active', ram: ram({ passes: 2 }) },
      { status: 'postcopy-active', ram: ram({ passes: 2 }) },
      { status: 'completed', 'total-time': 10, downtime: 1 },
    ]);
    const phases: MigrationPhase[] = [];
    const { run } = migrate({
      options: { ...OPTIONS, postcopy: true },
      signal: abort.signal,
      onProgress: (_p, phase) => {
        phases.push(phase);
        if (phase === 'postcopy') abort.abort();
      },
    });
    expect(await run).toMatchObject({ postcopy: true });
    expect(commandNames(q.fake)).toEqual([
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'migrate',
      'migrate-start-postcopy',
    ]);
    const switchedAt = q.fake.received.findIndex((c) => c.execute === 'migrate-start-postcopy');
    const polls = q.fake.received.slice(0, switchedAt).filter((c) => c.execute === 'query-migrate');
    expect(polls).toHaveLength(2);
    expect(phases).toContain('postcopy');
    expect(commandNames(q.fake)).not.toContain('migrate_cancel');
  });

  it('post-copy paused: failed, and the source is not resumed (its memory is on both hosts)', async () => {
    scriptMigrate(q.fake, [
      { status: 'active', ram: ram({ passes: 2 }) },
      { status: 'postcopy-active', ram: ram({ passes: 2 }) },
      { status: 'postcopy-paused', 'error-desc': 'Connection reset by peer' },
    ]);
    q.state.status = 'postmigrate';
    const err = await expectMigrationError(migrate({ options: { ...OPTIONS, postcopy: true } }).run);
    expect(err.outcome).toBe('failed');
    expect(err.message).toMatch(/during post-copy.*split between both hosts/);
    expect(commandNames(q.fake)).not.toContain('cont');
  });

  it('reads the figures once qemu has settled (completed is reported before total-time and downtime)', async () => {
    let statusPolls = 0;
    q.fake.handle('query-status', () => {
      statusPolls++;
      const status = statusPolls === 1 ? 'running' : statusPolls < 4 ? 'finish-migrate' : 'postmigrate';
      return { return: { running: status === 'running', status } };
    });
    scriptMigrate(q.fake, [
      { status: 'completed', ram: ram({}) },
      { status: 'completed', 'total-time': 700, downtime: 40, ram: ram({}) },
    ]);
    expect(await migrate().run).toMatchObject({ totalTimeMs: 700, downtimeMs: 40 });
    expect(statusPolls).toBe(4);
  });

  it('a command qemu refuses fails the migration with its words', async () => {
    q.fake.handle('migrate', { error: { class: 'GenericError', desc: 'There is a migration in progress' } });
    const err = await expectMigrationError(migrate().run);
    expect(err).toMatchObject({ outcome: 'failed', qemuReason: 'There is a migration in progress' });
  });

  it('encrypts the stream: client credentials added and named before migrate, dropped after', async () => {
    scriptMigrate(q.fake, [{ status: 'completed', ram: ram({}) }]);
    q.state.status = 'postmigrate';
    await migrate({ tls: { dir: '/run/vm/stream-tls' } }).run;
    expect(commandNames(q.fake)).toEqual([
      'object-del', // a leftover of an attempt whose end was not seen
      'object-add',
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'migrate',
      'migrate-set-parameters',
      'object-del',
    ]);
    expect(argsOf(q.fake, 'object-add')).toEqual({
      'qom-type': 'tls-creds-x509',
      id: 'vw-mig-tls',
      dir: '/run/vm/stream-tls',
      endpoint: 'client',
      'verify-peer': true,
    });
    expect(argsOf(q.fake, 'migrate-set-parameters', 1)).toMatchObject({
      'tls-creds': 'vw-mig-tls',
      'tls-hostname': 'virtweb-migration',
    });
    expect(argsOf(q.fake, 'migrate-set-parameters', 2)).toEqual({ 'tls-creds': '', 'tls-hostname': '' });
    expect(argsOf(q.fake, 'object-del', 2)).toEqual({ id: 'vw-mig-tls' });
  });

  it('a failed TLS handshake fails the migration with its words, the source runs, the credentials go', async () => {
    scriptMigrate(q.fake, [{ status: 'failed', 'error-desc': "The certificate hasn't got a known issuer" }]);
    const err = await expectMigrationError(migrate({ tls: { dir: '/run/vm/stream-tls' } }).run);
    expect(err.message).toBe("migration failed: The certificate hasn't got a known issuer");
    expect(q.state.status).toBe('running');
    expect(commandNames(q.fake).slice(-2)).toEqual(['migrate-set-parameters', 'object-del']);
    expect(argsOf(q.fake, 'migrate-set-parameters', 2)).toEqual({ 'tls-creds': '', 'tls-hostname': '' });
  });

  it('credentials qemu refuses fail the migration before anything is sent', async () => {
    q.fake.handle('object-add', {
      error: { class: 'GenericError', desc: 'Unable to access credentials /x/ca-cert.pem' },
    });
    const err = await expectMigrationError(migrate({ tls: { dir: '/x' } }).run);
    expect(err.qemuReason).toBe('Unable to access credentials /x/ca-cert.pem');
    expect(commandNames(q.fake)).not.toContain('migrate');
  });
});
