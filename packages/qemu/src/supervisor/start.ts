// Spawning qemu detached (it must outlive the server) and waiting until its QMP socket answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import { QmpClient } from '@virtweb/qmp';
import { escapeOptValue } from '../argv.ts';
import { QemuStartError } from '../errors.ts';
import type { RuntimePaths } from '../spec.ts';
import { openLogForRun, readLogTail } from './log.ts';
import { isOurQemu, readPidFile } from './pid.ts';
import { QemuProcess, type RawExit } from './process.ts';
import { spawnAs, type QemuIdentity } from './run-as.ts';

export type { QemuIdentity } from './run-as.ts';
import { settlesWithin } from './wait.ts';

export interface StartQemuOptions {
  /** qemu-system-x86_64 (a path, or a name found through PATH). */
  binary: string;
  /** From buildArgv(spec, paths, { startPaused: true }) usually; must use `paths` for QMP and the pidfile. */
  argv: readonly string[];
  paths: RuntimePaths;
  /** Limit for spawn-to-QMP-ready (default 30000). */
  startTimeoutMs?: number;
  /**
   * The unprivileged user and group qemu runs as (default: the caller's own). The run directory is made
   * theirs: qemu creates its sockets and pidfile there, writes screendumps and removes the pidfile on exit.
   */
  runAs?: QemuIdentity;
}

// What qemu needs from the server's environment: the rest (VIRTWEB_PASSWORD, tokens) is none of its business,
// and an unprivileged qemu could read its own /proc/<pid>/environ.
const QEMU_ENV_KEYS = ['PATH', 'TZ', 'LANG', 'LC_ALL'];

/** The environment qemu (or a probe guest) is started with: PATH, TZ, LANG, LC_ALL when set. */
export function qemuEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(QEMU_ENV_KEYS.flatMap((k) => (env[k] === undefined ? [] : [[k, env[k]]])));
}

const RETRY_MS = 25;
/** A run dir shared with qemu's user: owner the server, group qemu's, sticky (see startQemu). */
const RUN_DIR_MODE_FOR_USER = 0o1770;

/**
 * Makes a guest's run dir (or makes it right again): the server's, 0700, or, for a qemu running as `runAs`,
 * with that user's group writable and the sticky bit. Also for helpers that run beside qemu as the same user
 * (swtpm) and must create their sockets there before qemu starts.
 */
export async function prepareRunDir(dir: string, runAs: QemuIdentity | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (runAs === undefined) await chmod(dir, 0o700);
  else {
    // NOTE: qemu must create its sockets, pidfile and screendumps here and remove its pidfile on exit (the
    // exit classification reads that). The dir stays the server's with qemu's group writable and the sticky
    // bit: qemu may remove only its own files, never replace the server's (qemu.log, launched.json,
    // migration.json), which the server trusts after a restart.
    await chown(dir, process.getuid?.() ?? 0, runAs.gid);
    await chmod(dir, RUN_DIR_MODE_FOR_USER);
  }
}

/**
 * Starts qemu in its own session (`detached`, so it survives the server), with stdout/stderr appended to
 * qemu.log, and resolves once the QMP socket has completed its handshake.
 *
 * @throws QemuStartError when qemu is already running for this run directory, cannot be spawned, exits before
 *   QMP is ready (bad option, image locked by another process: see `logTail`), or misses `startTimeoutMs`
 *   (then it is killed). Nothing is left running after a rejection.
 * @throws RangeError when `argv` does not use `paths.qmp` and `paths.pid`.
 */
export async function startQemu(opts: StartQemuOptions): Promise<QemuProcess> {
  const { binary, argv, paths } = opts;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  if (!argv.some((a) => a.startsWith(`unix:${escapeOptValue(paths.qmp)},`)) || !argv.includes(paths.pid)) {
    throw new RangeError(
      'argv must serve QMP on paths.qmp and write paths.pid (use buildArgv with these paths)',
    );
  }
  await prepareRunDir(paths.dir, opts.runAs);
  const runningPid = await readPidFile(paths.pid);
  if (runningPid !== null && isOurQemu(runningPid, paths)) {
    throw new QemuStartError(`qemu is already running for ${paths.dir} (pid ${runningPid})`, noExit(''));
  }
  // Leftovers of a qemu that was killed: sockets would make `connect` hit a dead listener, a stale pidfile
  // would be mistaken for this run's.
  const stale = [paths.qmp, paths.qmpUser, paths.monitor, paths.vnc, paths.serial, paths.pid];
  await Promise.all(stale.map((p) => rm(p, { force: true })));

  const log = await openLogForRun(paths.log);
  let child: ChildProcess;
  let gone: Promise<RawExit>;
  let spawned: Promise<Error | undefined>;
  try {
    // detached: setsid(), so the guest is not in the server's process group and survives its exit/SIGINT.
    // NOTE: with uid/gid, libuv's child drops the supplementary groups and calls setgid/setuid before execve,
    // so qemu never runs as root, not even while it parses its options and opens its images (libvirt drops
    // privileges before exec too). qemu's own `-runas` would switch only after start-up, and qemu 7.2 with
    // `-sandbox ...,elevateprivileges=deny` (or `=children`) is killed by SIGSYS at -runas's setgid (measured:
    // exit by signal 31 before the guest ran; `elevateprivileges=allow` lets -runas work).
    const run = spawnAs(binary, argv, opts.runAs);
    // NOTE: qemu creates its sockets and pidfile with its umask; a server that is not root reaches them
    // through qemu's group (the run dir's), so qemu starts with 007: group read-write, nothing for others.
    // The fork copies the umask at once (spawn is synchronous), so the server's own is back right after.
    const umask = process.umask(opts.runAs === undefined ? 0o077 : 0o007);
    try {
      child = spawn(run.command, run.args, {
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        cwd: paths.dir,
        env: qemuEnvironment(),
        ...(run.ids === undefined ? {} : { uid: run.ids.uid, gid: run.ids.gid }),
      });
    } finally {
      process.umask(umask);
    }
    // Listeners before the first await: 'spawn'/'error' are emitted on the next tick.
    gone = new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })));
    spawned = new Promise((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
  } finally {
    await log.close(); // the child holds its own copy of the descriptor
  }
  const spawnError = await spawned;
  // Later 'error's (a failed kill) must not crash the server; kill results are checked where they matter.
  child.on('error', () => undefined);
  if (spawnError !== undefined || child.pid === undefined) {
    const why = spawnError?.message ?? 'no pid';
    throw new QemuStartError(`cannot run ${binary}: ${why}`, noExit(''), { cause: spawnError });
  }
  child.unref();
  const pid = child.pid;

  const ready = await waitForQmp(paths.qmp, gone, startTimeoutMs);
  if (!('qmp' in ready)) {
    const timedOut = !('exit' in ready);
    if (timedOut) child.kill('SIGKILL');
    const exit = await gone;
    const logTail = await readLogTail(paths.log);
    const message = timedOut
      ? `qemu did not answer on QMP within ${startTimeoutMs} ms (killed)`
      : `qemu exited during start (${exit.signal ?? `code ${exit.exitCode ?? '?'}`})`;
    throw new QemuStartError(message, { ...exit, logTail }, { cause: ready.error });
  }
  if (opts.runAs !== undefined) {
    // NOTE: qemu writes its pidfile 0600 whatever its umask; a server that is not root is in qemu's group and
    // reads it through that (CAP_FOWNER lets it chmod a file it does not own) to find the guest after a restart.
    await chmod(paths.pid, 0o640).catch(() => undefined);
  }
  return new QemuProcess({
    pid,
    qmp: ready.qmp,
    paths,
    adopted: false,
    gone,
    sendSignal: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal),
    unwatch: () => undefined,
  });
}

type QmpWait = { qmp: QmpClient } | { exit: RawExit; error?: undefined } | { error: unknown };

/** Retries QMP connects until one completes its handshake, qemu exits, or the deadline passes. */
async function waitForQmp(socketPath: string, gone: Promise<RawExit>, timeoutMs: number): Promise<QmpWait> {
  const deadline = Date.now() + timeoutMs;
  let exit: RawExit | undefined;
  void gone.then((e) => (exit = e));
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    if (exit) return { exit };
    if (remaining <= 0) return { error: lastError };
    const attempt = QmpClient.connect(socketPath, { timeoutMs: remaining });
    const first = await Promise.race([
      attempt.then(
        (qmp) => ({ qmp }),
        (error: unknown) => ({ error }),
      ),
      gone.then((e) => ({ exit: e })),
    ]);
    if ('qmp' in first) return first;
    if ('exit' in first) {
      // The connect may still complete against a dying qemu: close that client, ignore its failure.
      attempt.then(
        (c) => c.close(),
        () => undefined,
      );
      return first;
    }
    // ENOENT (socket not created yet) and ECONNREFUSED (not listening yet) are the usual reasons to retry.
    lastError = first.error;
    await settlesWithin(gone, RETRY_MS);
  }
}

function noExit(logTail: string): { exitCode: null; signal: null; logTail: string } {
  return { exitCode: null, signal: null, logTail };
}
