// After a server restart: take over a guest that kept running, from its pidfile and QMP socket.
import { QmpClient } from '@virtweb/qmp';
import { QemuAdoptError } from '../errors.ts';
import type { RuntimePaths } from '../spec.ts';
import { isAlive, isOurQemu, readPidFile } from './pid.ts';
import { QemuProcess, type RawExit } from './process.ts';

export interface AdoptQemuOptions {
  /** Limit for the QMP handshake (default 5000). */
  connectTimeoutMs?: number;
}

const MAX_POLL_MS = 1000;

/**
 * Finds the qemu of this run directory (pidfile -> live process whose command line serves `paths.qmp`) and
 * connects to its QMP socket.
 *
 * @returns null when there is no such process (no pidfile, dead, or the pid now belongs to something else):
 *   use {@link inspectDeadGuest} to learn how it ended.
 * @throws QemuAdoptError when the process is alive and ours but QMP does not answer (e.g. another client is
 *   still connected: qemu serves one client per QMP socket).
 */
export async function adoptQemu(
  paths: RuntimePaths,
  opts: AdoptQemuOptions = {},
): Promise<QemuProcess | null> {
  const pid = await readPidFile(paths.pid);
  if (pid === null || !isOurQemu(pid, paths)) return null;
  let qmp: QmpClient;
  try {
    qmp = await QmpClient.connect(paths.qmp, { timeoutMs: opts.connectTimeoutMs ?? 5000 });
  } catch (cause) {
    if (!isAlive(pid)) return null; // it died while we were connecting
    throw new QemuAdoptError(`qemu pid ${pid} is running but its QMP socket does not answer`, pid, { cause });
  }
  const watch = watchForeignPid(pid, qmp);
  return new QemuProcess({
    pid,
    qmp,
    paths,
    adopted: true,
    gone: watch.gone,
    sendSignal: (signal) => {
      // The pid could be reused once the process is gone: only signal it while it is still our qemu.
      if (!isOurQemu(pid, paths)) return false;
      try {
        process.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
    unwatch: watch.cancel,
  });
}

/**
 * Exit detection for a process that is not our child (no 'exit' event, no exit code): qemu's death closes the
 * QMP socket, then the pid is polled (backing off to 1 s) until it is gone or a zombie.
 */
function watchForeignPid(pid: number, qmp: QmpClient): { gone: Promise<RawExit>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const gone = new Promise<RawExit>((resolve) => {
    const poll = (intervalMs: number): void => {
      if (cancelled) return;
      if (!isAlive(pid)) {
        resolve({ exitCode: null, signal: null });
        return;
      }
      timer = setTimeout(() => poll(Math.min(intervalMs * 2, MAX_POLL_MS)), intervalMs);
    };
    if (qmp.state === 'closed') poll(10);
    else qmp.once('close', () => poll(10));
  });
  return {
    gone,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
