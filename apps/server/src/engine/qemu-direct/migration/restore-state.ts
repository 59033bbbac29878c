// Restore a saved state into a fresh qemu: the file through `zstd -d` into qemu's incoming unix socket.
//
// NOTE: the seed's `-incoming "exec:zstd -d < file"` done with argv arrays: qemu (started with
// `-incoming defer`) listens on `unix:<sock>` after `migrate-incoming`; this module reads the file (counting
// bytes for the progress), pipes it through a spawned `zstd -d -q -c` and zstd's output into a connection to
// that socket, then starts the guest.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import type { QemuIdentity } from '@virtweb/qemu';
import { isQmpClosedError, isQmpInterruptedError, type QmpClient } from '@virtweb/qmp';
import {
  applyMigrationSettings,
  incomingCapabilities,
  incomingParameters,
  PLAIN_STREAM,
} from './capabilities.ts';
import { cancelledError, describeCause, failedError, MigrationError } from './errors.ts';
import { finishIncoming, waitStreamArrived } from './incoming.ts';
import { safeListener } from './migration-poll.ts';
import type { ProgressListener } from './live-migration.ts';
import { byteProgress } from './progress.ts';
import { streamSocketDir } from './unix-stream.ts';
import { startZstd, zstdFailure, type ZstdRun } from './zstd-process.ts';

export interface RestoreStateInput {
  /** A file written by `saveState`. */
  file: string;
  socketParent?: string;
  /** qemu's user, when qemu does not run as the server's: qemu makes its listening socket in a dir of its own. */
  socketOwner?: QemuIdentity;
  zstdBinary?: string;
  /** `cont` once loaded (default true); false leaves the guest paused. */
  start?: boolean;
  /** Called at most every `pollIntervalMs` with bytes read of the file. */
  onProgress?: ProgressListener;
  /** Abort = cancel: the stream is cut, and qemu exits (a failed incoming load ends the process). */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Limit for the whole restore (default 10 minutes). */
  timeoutMs?: number;
}

/** How long zstd may go on after qemu closed the socket (it may still be exiting after its last write). */
const QEMU_HANGUP_GRACE_MS = 2000;

export interface RestoreStateResult {
  fileBytes: number;
  elapsedMs: number;
}

/**
 * Loads `file` into the qemu of `qmp`, which must have been started with the saved guest's spec, the same
 * disk images, `-incoming defer` and `-S`. Resolves with the guest running (or paused: `start: false`).
 * @throws MigrationError `failed` (zstd's stderr, qemu's error; qemu has then exited: the caller cleans up
 *   its run directory) or `cancelled`.
 */
export async function restoreState(qmp: QmpClient, input: RestoreStateInput): Promise<RestoreStateResult> {
  const started = Date.now();
  const { signal } = input;
  const intervalMs = input.pollIntervalMs ?? 500;
  const status = await qmp.execute('query-status');
  if (status.status !== 'inmigrate') {
    throw failedError('restore', `the target is ${status.status}, not waiting for a stream`);
  }
  const fileBytes = (await stat(input.file)).size;
  const socket = await streamSocketDir(input.socketParent, input.socketOwner);
  let zstd: ZstdRun | undefined;
  let connection: Socket | undefined;
  const reader = createReadStream(input.file);
  reader.on('error', () => undefined);
  const onAbort = (): void => {
    reader.destroy();
    connection?.destroy();
    zstd?.kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const aborted = (): boolean => signal?.aborted === true;
  const report = safeListener(input.onProgress);
  try {
    if (aborted()) throw cancelledError('restore');
    await applyMigrationSettings(qmp, incomingCapabilities(PLAIN_STREAM), incomingParameters(PLAIN_STREAM));
    await qmp.execute('migrate-incoming', { uri: `unix:${socket.socketPath}` });
    zstd = await startZstd(input.zstdBinary ?? 'zstd', ['-d', '-q', '-c'], ['pipe', 'pipe', 'pipe']);
    const run = zstd;
    const conn = await connect(socket.socketPath);
    connection = conn;
    let readBytes = 0;
    let lastReport = 0;
    reader.on('data', (d: Buffer | string) => {
      readBytes += d.length;
      if (Date.now() - lastReport < intervalMs) return;
      lastReport = Date.now();
      report(byteProgress(readBytes, fileBytes), 'migrating');
    });
    if (run.child.stdin) reader.pipe(run.child.stdin);
    run.child.stdout?.pipe(conn);
    // qemu hangs up when the load fails (and exits); zstd would then block on a pipe nobody reads.
    const stream = { ended: false, qemuHungUp: false };
    run.child.stdout?.once('end', () => (stream.ended = true));
    conn.once('close', () => {
      if (stream.ended) return;
      stream.qemuHungUp = true;
      setTimeout(() => run.kill(), QEMU_HANGUP_GRACE_MS).unref();
    });
    const exit = await run.exited;
    if (aborted()) throw cancelledError('restore');
    if (exit.code !== 0) {
      const why = stream.qemuHungUp
        ? 'qemu stopped reading the stream (a failed load ends qemu: see its log)'
        : '';
      throw failedError('restore', why || zstdFailure(exit));
    }
    report(byteProgress(fileBytes, fileBytes), 'migrating');
    const timeoutMs = Math.max(1000, (input.timeoutMs ?? 600_000) - (Date.now() - started));
    if (input.start === false) await waitStreamArrived(qmp, { signal, timeoutMs });
    else await finishIncoming(qmp, signal ? { signal, timeoutMs } : { timeoutMs });
    return { fileBytes, elapsedMs: Date.now() - started };
  } catch (err) {
    onAbort();
    if (err instanceof MigrationError) throw err;
    const gone = isQmpInterruptedError(err) || isQmpClosedError(err);
    throw failedError('restore', gone ? 'qemu exited while loading the state' : describeCause(err), err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    connection?.end();
    await socket.remove();
  }
}

function connect(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socketPath);
    conn.once('connect', () => {
      conn.off('error', reject);
      conn.on('error', () => undefined);
      resolve(conn);
    });
    conn.once('error', reject);
  });
}
