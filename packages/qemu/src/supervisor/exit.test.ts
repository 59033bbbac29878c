// classifyExit is pure: every branch from hand-written facts. readLogTail against temp files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyExit, inspectDeadGuest, type ExitFacts } from './exit.ts';
import { readLogTail } from './log.ts';
import { runtimePaths } from '../spec.ts';

const facts = (f: Partial<ExitFacts>): ExitFacts => ({ exitCode: 0, signal: null, logTail: '', ...f });
const SIGTERM_LOG = 'qemu-system-x86_64: terminating on signal 15 from pid 4242 (node)';

describe('classifyExit', () => {
  it.each<[string, Partial<ExitFacts>, string, string]>([
    ['guest poweroff', { shutdown: { guest: true, reason: 'guest-shutdown' } }, 'clean', 'guest powered off'],
    [
      'stop() powerdown',
      { shutdown: { guest: true, reason: 'guest-shutdown' }, stoppedBy: 'powerdown' },
      'clean',
      'guest powered off',
    ],
    [
      'stop() quit',
      { shutdown: { guest: false, reason: 'host-qmp-quit' }, stoppedBy: 'quit' },
      'clean',
      'quit by virtweb',
    ],
    [
      'stop() quit after powerdown',
      { shutdown: { guest: false, reason: 'host-qmp-quit' }, stoppedBy: 'quit', escalatedFrom: 'powerdown' },
      'clean',
      'quit by virtweb after ACPI powerdown timed out',
    ],
    [
      'quit by a user',
      { shutdown: { guest: false, reason: 'host-qmp-quit' } },
      'clean',
      'quit via QMP or the monitor',
    ],
    [
      'external SIGTERM',
      { shutdown: { guest: false, reason: 'host-signal' }, logTail: SIGTERM_LOG },
      'clean',
      'terminated by SIGTERM from pid 4242 (node)',
    ],
    [
      'stop() SIGTERM',
      { shutdown: { guest: false, reason: 'host-signal' }, stoppedBy: 'sigterm', escalatedFrom: 'quit' },
      'killed',
      'stopped by virtweb with SIGTERM after quit timed out',
    ],
    [
      'stop() SIGKILL',
      { exitCode: null, signal: 'SIGKILL', stoppedBy: 'sigkill', escalatedFrom: 'sigterm' },
      'killed',
      'stopped by virtweb with SIGKILL after SIGTERM timed out',
    ],
    [
      'kill("SIGKILL")',
      { exitCode: null, signal: 'SIGKILL', stoppedBy: 'sigkill' },
      'killed',
      'stopped by virtweb with SIGKILL',
    ],
    ['external SIGKILL', { exitCode: null, signal: 'SIGKILL' }, 'crashed', 'killed by SIGKILL'],
    ['segfault', { exitCode: null, signal: 'SIGSEGV' }, 'crashed', 'qemu crashed (SIGSEGV)'],
    [
      'killed by its seccomp sandbox',
      { exitCode: null, signal: 'SIGSYS' },
      'crashed',
      'qemu was killed by its sandbox (seccomp): it tried to run a program, e.g. a `migrate exec:` command; nothing ran',
    ],
    ['abort', { exitCode: null, signal: 'SIGABRT', stoppedBy: 'quit' }, 'crashed', 'qemu crashed (SIGABRT)'],
    ['exit 1', { exitCode: 1 }, 'crashed', 'qemu exited with code 1'],
    [
      'guest panic',
      { exitCode: 1, shutdown: { guest: true, reason: 'guest-panic' } },
      'crashed',
      'guest panicked',
    ],
    ['exit 0 unseen', {}, 'clean', 'qemu exited normally'],
    [
      'exit 0 unseen, signal in log',
      { logTail: SIGTERM_LOG },
      'clean',
      'terminated by SIGTERM from pid 4242 (node)',
    ],
    [
      'adopted, SHUTDOWN seen',
      { exitCode: null, shutdown: { guest: true, reason: 'guest-shutdown' } },
      'clean',
      'guest powered off',
    ],
    [
      'adopted, pidfile removed',
      { exitCode: null, pidfileRemoved: true },
      'clean',
      'qemu shut down (its pidfile was removed)',
    ],
    [
      'adopted, pidfile kept',
      { exitCode: null, pidfileRemoved: false },
      'crashed',
      'qemu is gone without a clean shutdown (killed or crashed)',
    ],
    ['other cause', { shutdown: { guest: false, reason: 'host-ui' } }, 'clean', 'qemu shut down (host-ui)'],
  ])('%s', (_name, f, kind, reason) => {
    const exit = classifyExit(facts(f));
    expect(exit.kind).toBe(kind);
    expect(exit.reason).toBe(reason);
    expect(exit.stoppedBy).toBe(f.stoppedBy);
    expect(exit.shutdown).toEqual(f.shutdown);
  });

  it('keeps the raw facts', () => {
    expect(classifyExit(facts({ exitCode: null, signal: 'SIGKILL', logTail: 'x' }))).toEqual({
      kind: 'crashed',
      exitCode: null,
      signal: 'SIGKILL',
      reason: 'killed by SIGKILL',
      logTail: 'x',
    });
  });
});

describe('log tail and dead guests', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const tempPaths = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vwq-'));
    dirs.push(dir);
    return runtimePaths(dir);
  };

  it('shows only the lines after the last start marker', async () => {
    const { log } = await tempPaths();
    await writeFile(
      log,
      '=== virtweb: starting qemu at 1 ===\nold\n=== virtweb: starting qemu at 2 ===\na\nb\nc\n',
    );
    expect(await readLogTail(log)).toBe('a\nb\nc');
    expect(await readLogTail(log, 2)).toBe('b\nc');
    expect(await readLogTail(`${log}.missing`)).toBe('');
  });

  it('calls a dead guest clean when qemu removed its pidfile, crashed when the pidfile stayed', async () => {
    const paths = await tempPaths();
    await writeFile(paths.log, `=== virtweb: starting qemu at 1 ===\n${SIGTERM_LOG}\n`);
    expect(await inspectDeadGuest(paths)).toMatchObject({
      kind: 'clean',
      reason: 'terminated by SIGTERM from pid 4242 (node)',
      logTail: SIGTERM_LOG,
    });
    await writeFile(paths.pid, '12345\n');
    await writeFile(paths.log, '=== virtweb: starting qemu at 2 ===\n');
    expect(await inspectDeadGuest(paths)).toMatchObject({ kind: 'crashed', exitCode: null, logTail: '' });
  });
});
