// How a qemu process ended, in plain words: one pure classifier over the facts the supervisor collected.
import { constants } from 'node:os';
import { access } from 'node:fs/promises';
import type { RuntimePaths } from '../spec.ts';
import { readLogTail } from './log.ts';

/** The steps of a graceful stop, in escalation order. */
export type StopStep = 'powerdown' | 'quit' | 'sigterm' | 'sigkill';

/** qemu's SHUTDOWN event data: `guest` is true when the guest itself asked (ACPI poweroff). */
export interface ShutdownInfo {
  guest: boolean;
  /** qemu's ShutdownCause: `guest-shutdown`, `host-qmp-quit`, `host-signal`, ... */
  reason: string;
}

/** How a qemu process ended. */
export interface QemuExit {
  /**
   * `clean`: qemu shut down in order (SHUTDOWN seen / exit 0 / pidfile removed);
   * `killed`: the supervisor had to signal it (stop() escalated to SIGTERM or SIGKILL, or kill());
   * `crashed`: anything else (non-zero exit, fatal signal, SIGKILL from outside, gone without a shutdown).
   */
  kind: 'clean' | 'killed' | 'crashed';
  /** null when qemu died from a signal, or when it was adopted (not our child: the code is unknowable). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Plain words: "guest powered off", "quit by virtweb", "killed by SIGKILL", "qemu exited with code 1". */
  reason: string;
  shutdown?: ShutdownInfo;
  /** The last stop step virtweb took before qemu was gone. */
  stoppedBy?: StopStep;
  /** qemu.log lines of this run ('' when qemu printed nothing). */
  logTail: string;
}

/** Everything known when the process is gone; the input of {@link classifyExit}. */
export interface ExitFacts {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  shutdown?: ShutdownInfo;
  stoppedBy?: StopStep;
  /** The step that timed out right before `stoppedBy`. */
  escalatedFrom?: StopStep;
  /**
   * Whether qemu's pidfile was gone afterwards. NOTE (measured on qemu 7.2, see stop.test.ts): qemu unlinks its
   * -pidfile from an exit notifier, i.e. whenever it leaves through exit(): after `quit`, guest poweroff and
   * SIGTERM, but also after exit(1) (`-action panic=exit-failure`); after SIGKILL (or a crash) the file stays.
   * So for an adopted process, whose exit code we cannot read, "pidfile removed" means "exited by itself".
   */
  pidfileRemoved?: boolean;
  logTail: string;
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE', 'SIGTRAP']);

/** The reason of a qemu killed by its sandbox (SIGSYS). */
export const SANDBOX_KILL_REASON =
  'qemu was killed by its sandbox (seccomp): it tried to run a program, e.g. a `migrate exec:` command; nothing ran';
const STEP_WORDS: Record<StopStep, string> = {
  powerdown: 'ACPI powerdown',
  quit: 'quit',
  sigterm: 'SIGTERM',
  sigkill: 'SIGKILL',
};

/** Classifies an exit from the collected facts. Pure. */
export function classifyExit(facts: ExitFacts): QemuExit {
  const { exitCode, signal, shutdown, stoppedBy, escalatedFrom, pidfileRemoved, logTail } = facts;
  const result = (kind: QemuExit['kind'], reason: string): QemuExit => ({
    kind,
    exitCode,
    signal,
    reason,
    ...(shutdown && { shutdown }),
    ...(stoppedBy && { stoppedBy }),
    logTail,
  });
  const after = escalatedFrom ? ` after ${STEP_WORDS[escalatedFrom]} timed out` : '';

  if (stoppedBy === 'sigterm' || stoppedBy === 'sigkill') {
    return result('killed', `stopped by virtweb with ${STEP_WORDS[stoppedBy]}${after}`);
  }
  // NOTE: qemu's seccomp filter (-sandbox, see QEMU_SANDBOX) kills it with SIGSYS at a forbidden system call;
  // the usual one is the fork of `migrate "exec:..."` typed into the monitor (measured, qemu 7.2), which then
  // runs nothing. qemu itself never gets to say anything: qemu.log has no line about it.
  if (signal === 'SIGSYS') return result('crashed', SANDBOX_KILL_REASON);
  if (signal !== null) {
    return result('crashed', CRASH_SIGNALS.has(signal) ? `qemu crashed (${signal})` : `killed by ${signal}`);
  }
  // With `-action panic=exit-failure` qemu exits 1 after SHUTDOWN {reason: guest-panic}.
  if (shutdown?.reason === 'guest-panic') return result('crashed', 'guest panicked');
  if (exitCode !== null && exitCode !== 0) return result('crashed', `qemu exited with code ${exitCode}`);

  const signalled = signalFromLog(logTail);
  if (shutdown) {
    switch (shutdown.reason) {
      case 'guest-shutdown':
        return result('clean', 'guest powered off');
      case 'host-qmp-quit':
        return result(
          'clean',
          stoppedBy === 'quit' ? `quit by virtweb${after}` : 'quit via QMP or the monitor',
        );
      case 'host-signal':
        return result('clean', signalled ?? 'terminated by a signal');
      default:
        return result('clean', `qemu shut down (${shutdown.reason})`);
    }
  }
  // No SHUTDOWN event seen (it happened while nobody was connected to QMP): fall back to other evidence.
  if (signalled !== undefined && (exitCode === 0 || pidfileRemoved === true))
    return result('clean', signalled);
  if (exitCode === 0) return result('clean', 'qemu exited normally');
  if (pidfileRemoved === true) return result('clean', 'qemu shut down (its pidfile was removed)');
  return result('crashed', 'qemu is gone without a clean shutdown (killed or crashed)');
}

/** "terminated by SIGTERM from pid 123 (kill)" out of qemu's "terminating on signal 15 from pid 123 (kill)". */
function signalFromLog(logTail: string): string | undefined {
  const m = /terminating on signal (\d+)(?: from pid (\d+)(?: \(([^)]*)\))?)?/.exec(logTail);
  if (!m) return undefined;
  const num = Number(m[1]);
  const name = Object.entries(constants.signals).find(([, n]) => n === num)?.[0] ?? `signal ${num}`;
  const from = m[2] === undefined ? '' : ` from pid ${m[2]}${m[3] === undefined ? '' : ` (${m[3]})`}`;
  return `terminated by ${name}${from}`;
}

/**
 * For a guest found dead at server start (its pidfile's process is gone, or adoptQemu returned null): clean vs
 * crashed from the pidfile evidence (see {@link ExitFacts.pidfileRemoved}) plus the log tail. Call it before the
 * next startQemu, which clears the pidfile. Never rejects: missing files are evidence, not errors.
 */
export async function inspectDeadGuest(paths: RuntimePaths): Promise<QemuExit> {
  const pidfileRemoved = await access(paths.pid).then(
    () => false,
    () => true,
  );
  const logTail = await readLogTail(paths.log);
  return classifyExit({ exitCode: null, signal: null, pidfileRemoved, logTail });
}
