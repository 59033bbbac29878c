// One swtpm (TPM 2.0 emulator) per running TPM guest: manufactured with swtpm_setup at first use, started
// before qemu as qemu's user, watched while the guest runs.
import { execFile, spawn } from 'node:child_process';
import { constants, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive, qemuEnvironment, readPidFile, spawnAs, type QemuIdentity } from '@virtweb/qemu';
import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import { SWTPM, SWTPM_SETUP, swtpmProblem } from '../../host/swtpm-tools.ts';

const execFileP = promisify(execFile);

const READY_TIMEOUT_MS = 10_000;
const SETUP_TIMEOUT_MS = 60_000;
const POLL_MS = 25;
/** How often an adopted swtpm (not the server's child) is looked at. */
const ADOPTED_POLL_MS = 2_000;
/** How long after swtpm's exit qemu may take to exit too (a guest stopping closes the TPM first). */
const QEMU_EXIT_GRACE_MS = 2_000;
// NOTE: swtpm's own option parser splits at commas and has no escape: a path with one cannot be given.
const SWTPM_SAFE_PATH = /^[^,]+$/;
const { O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_WRONLY } = constants;

/** A guest's swtpm files: its state dir (in the data dir) and, in its run dir, socket, pidfile and log. */
export interface SwtpmPaths {
  stateDir: string;
  socket: string;
  pid: string;
  log: string;
}

export function swtpmPaths(runDir: string, stateDir: string): SwtpmPaths {
  return {
    stateDir,
    socket: path.join(runDir, 'swtpm.sock'),
    pid: path.join(runDir, 'swtpm.pid'),
    log: path.join(runDir, 'swtpm.log'),
  };
}

/**
 * A running swtpm: the server's child (started now) or a process found by its pidfile (after a restart).
 * `onDeath` listeners hear once that it exited while qemu still ran.
 */
export class SwtpmProcess {
  private listeners: ((message: string) => void)[] = [];
  private deathMessage: string | undefined;
  private readonly gone: Promise<string>;

  private constructor(
    readonly pid: number,
    gone: Promise<string>,
    private readonly paths: SwtpmPaths,
  ) {
    this.gone = gone;
  }

  /** Set once swtpm died under a running guest: what the guest's view shows. */
  get fault(): string | undefined {
    return this.deathMessage;
  }

  onDeath(listener: (message: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reports swtpm's exit unless qemu (whose exit `qemuExited` resolves on) exits as well: with `--terminate`
   * swtpm ends whenever qemu closes the TPM, which every stop of the guest does.
   */
  watch(qemuExited: Promise<unknown>): void {
    void this.gone.then(async (how) => {
      const qemuGone = await Promise.race([
        qemuExited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), QEMU_EXIT_GRACE_MS).unref()),
      ]);
      if (qemuGone) return;
      const tail = await logTail(this.paths.log);
      this.deathMessage =
        `the TPM emulator (swtpm, pid ${this.pid}) ${how} while the guest runs: the guest's TPM no longer ` +
        `answers; stop and start the guest to get it back${tail === '' ? '' : ` (swtpm: ${tail})`}`;
      for (const l of this.listeners) l(this.deathMessage);
    });
  }

  /** Ends swtpm (a start that failed after it, or a stop that left it). Resolves once it is gone. */
  async stop(): Promise<void> {
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const dead = await Promise.race([
      this.gone.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref()),
    ]);
    if (!dead) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await this.gone;
    }
  }

  /**
   * Manufactures the TPM unless it has a state (`fresh`: swtpm_setup, EK and the SHA-256 PCR bank), then
   * starts swtpm on the control socket and resolves once the socket is there.
   * @throws Conflict: swtpm missing, a path it cannot take, swtpm_setup or swtpm failing (with their output)
   */
  static async start(
    paths: SwtpmPaths,
    runAs: QemuIdentity | undefined,
    fresh: boolean,
  ): Promise<SwtpmProcess> {
    const problem = await swtpmProblem();
    if (problem !== undefined) throw new Conflict(ErrorCode.conflict, problem);
    for (const p of [paths.stateDir, paths.socket, paths.pid, paths.log]) {
      if (!SWTPM_SAFE_PATH.test(p))
        throw new Conflict(ErrorCode.conflict, `swtpm cannot take a path with a comma: ${p}`);
    }
    if (fresh) await manufacture(paths.stateDir, runAs);
    await Promise.all([paths.socket, paths.pid].map((p) => fs.rm(p, { force: true })));
    const log = await fs.open(paths.log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
    await log.write(`=== virtweb: starting swtpm at ${new Date().toISOString()} ===\n`);
    const run = spawnAs(
      SWTPM,
      [
        'socket',
        '--tpm2',
        ...['--tpmstate', `dir=${paths.stateDir},mode=0600`],
        ...['--ctrl', `type=unixio,path=${paths.socket},mode=0600`],
        ...['--pid', `file=${paths.pid}`],
        // Ends with qemu: once qemu closes the control channel (it exited, or migrated away).
        '--terminate',
      ],
      runAs,
    );
    const child = (() => {
      try {
        return spawn(run.command, run.args, {
          detached: true,
          stdio: ['ignore', log.fd, log.fd],
          env: qemuEnvironment(),
          ...(run.ids === undefined ? {} : { uid: run.ids.uid, gid: run.ids.gid }),
        });
      } finally {
        void log.close();
      }
    })();
    const gone = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) =>
        resolve(signal === null ? `exited with code ${code ?? '?'}` : `was killed by ${signal}`),
      ),
    );
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    child.on('error', () => undefined);
    if (spawnError !== undefined || child.pid === undefined) {
      throw new Conflict(ErrorCode.conflict, `cannot run swtpm: ${spawnError?.message ?? 'no pid'}`);
    }
    child.unref();
    const proc = new SwtpmProcess(child.pid, gone, paths);
    const ready = await waitForSocket(paths.socket, gone);
    if (ready !== true) {
      await proc.stop();
      const tail = await logTail(paths.log);
      throw new Conflict(
        ErrorCode.conflict,
        `swtpm did not start (${ready})${tail === '' ? '' : `: ${tail}`}`,
      );
    }
    return proc;
  }

  /** The swtpm of a guest found running after a server restart, watched by polling its pid; or undefined. */
  static async adopt(paths: SwtpmPaths): Promise<SwtpmProcess | undefined> {
    const pid = await readPidFile(paths.pid);
    if (pid === null || !isOurSwtpm(pid, paths.socket)) return undefined;
    const gone = new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        if (isAlive(pid)) return;
        clearInterval(timer);
        resolve('exited');
      }, ADOPTED_POLL_MS);
      timer.unref();
    });
    return new SwtpmProcess(pid, gone, paths);
  }

  /** Ends a guest's swtpm left running (its qemu gone): nothing of a guest outlives its qemu. Never rejects. */
  static async reap(paths: SwtpmPaths): Promise<void> {
    const found = await SwtpmProcess.adopt(paths).catch(() => undefined);
    await found?.stop().catch(() => undefined);
  }
}

/** swtpm_setup as qemu's user: the TPM's EK and the SHA-256 PCR bank, never overwriting a state. */
async function manufacture(stateDir: string, runAs: QemuIdentity | undefined): Promise<void> {
  const run = spawnAs(
    SWTPM_SETUP,
    ['--tpm2', '--tpmstate', stateDir, '--createek', '--pcr-banks', 'sha256', '--not-overwrite'],
    runAs,
  );
  try {
    await execFileP(run.command, run.args, {
      timeout: SETUP_TIMEOUT_MS,
      env: qemuEnvironment(),
      ...(run.ids === undefined ? {} : { uid: run.ids.uid, gid: run.ids.gid }),
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const all = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim();
    const out = all.split('\n').slice(-3).join(' ');
    // NOTE: swtpm_setup 0.7 makes its pid file at a fixed /tmp/.swtpm_setup.pidfile.XXXXXX, whatever $TMPDIR
    // says: qemu's user must be able to create files in /tmp (an ACL entry such as u:<user>:x on /tmp takes
    // that away), else "Could not create pidfile" and "Error getting next filename: Permission denied".
    const hint = all.includes('Could not create pidfile')
      ? " (swtpm_setup writes a pid file in /tmp: qemu's user must be able to create files there)"
      : '';
    throw new Conflict(ErrorCode.conflict, `swtpm_setup could not make the TPM: ${out || e.message}${hint}`);
  }
}

async function waitForSocket(socket: string, gone: Promise<string>): Promise<true | string> {
  let exited: string | undefined;
  void gone.then((how) => (exited = how));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) return exited;
    const isSocket = await fs.stat(socket).then(
      (s) => s.isSocket(),
      () => false,
    );
    if (isSocket) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return `no control socket within ${READY_TIMEOUT_MS} ms`;
}

/** Guards against pid reuse: the pid must be a swtpm serving this guest's socket. */
function isOurSwtpm(pid: number, socket: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((a) => a.includes(`path=${socket},`));
  } catch {
    return false;
  }
}

/** swtpm's last lines since its latest start marker, on one line. */
async function logTail(log: string): Promise<string> {
  const text = await fs.readFile(log, 'utf8').catch(() => '');
  const run = text.slice(text.lastIndexOf('=== virtweb: starting swtpm'));
  return run
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .slice(-3)
    .join(' ');
}
