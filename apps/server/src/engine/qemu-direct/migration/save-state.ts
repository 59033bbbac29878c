// Save a guest's state into a compressed file: qemu's migration stream through zstd, without any shell.
//
// NOTE: this is the seed's `migrate "exec:zstd > file"` pipeline, done with argv arrays (the house rule is to
// never build a shell string, and `exec:` URIs are shell strings run by qemu): qemu migrates to
// `unix:<sock>` where this module listens, the connection is piped into a spawned `zstd -q -c -T0` whose
// stdout is the file `<file>.part`, renamed to `<file>` once qemu reports `completed` and zstd exited 0.
import type { Socket } from 'node:net';
import { access, open, rename, rm, stat } from 'node:fs/promises';
import type { QemuIdentity } from '@virtweb/qemu';
import type { QmpClient } from '@virtweb/qmp';
import {
  applyMigrationSettings,
  PLAIN_STREAM,
  QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
  sourceCapabilities,
  UNLIMITED_BANDWIDTH,
} from './capabilities.ts';
import { tlsParameters } from './stream-tls.ts';
import { cancelledError, describeCause, failedError, MigrationError } from './errors.ts';
import type { ProgressListener } from './live-migration.ts';
import { cancelAndSettle, pollMigration, resumeSource, safeListener } from './migration-poll.ts';
import { migrationProgress } from './progress.ts';
import { listenOnce, streamSocketDir, within } from './unix-stream.ts';
import { startZstd, zstdFailure, type ZstdRun } from './zstd-process.ts';

export interface SaveStateInput {
  /** The `.zst` file to create (refused when it exists). */
  file: string;
  /** Where the stream's socket directory is made (default os.tmpdir(); keep it short: 107-byte limit). */
  socketParent?: string;
  /** qemu's user, when qemu does not run as the server's: the socket must be connectable by it. */
  socketOwner?: QemuIdentity;
  /** Default `zstd` (through PATH). */
  zstdBinary?: string;
  /**
   * Keep the guest running while its RAM is copied (several passes). Default false: `stop` first, as libvirt's
   * save does, so the file holds one pass of the state at the moment of the request.
   */
  live?: boolean;
  onProgress?: ProgressListener;
  /** Abort = cancel: `migrate_cancel`, the partial file removed, the guest resumed if it ran. */
  signal?: AbortSignal;
  pollIntervalMs?: number;
}

export interface SaveStateResult {
  /** Size of the compressed file. */
  sizeBytes: number;
  /** Bytes of qemu's (uncompressed) stream. */
  streamBytes: number;
  totalTimeMs: number;
  downtimeMs: number;
}

/**
 * Writes the state of the guest of `qmp` to `file`. When it resolves the guest is paused (`postmigrate`):
 * the caller quits it (its disks are released; restore it with `restoreState` into a fresh qemu with the same
 * spec, the same disk images).
 * @throws MigrationError `cancelled` or `failed` (qemu's `error-desc`, or zstd's stderr); the guest then runs
 *   as before and no file (nor `.part`) is left.
 */
export async function saveState(qmp: QmpClient, input: SaveStateInput): Promise<SaveStateResult> {
  const { file, signal } = input;
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  )
    throw failedError('save', `${file} already exists`);
  const wasRunning = (await qmp.execute('query-status')).status === 'running';
  const part = `${file}.part`;
  const out = await open(part, 'w', 0o600);
  const socket = await streamSocketDir(input.socketParent, input.socketOwner);
  let zstd: ZstdRun | undefined;
  let server: Awaited<ReturnType<typeof listenOnce>>['server'] | undefined;
  let connection: Socket | undefined;
  let streamBytes = 0;
  let migrating = false;
  const report = safeListener(input.onProgress);
  try {
    zstd = await startZstd(input.zstdBinary ?? 'zstd', ['-q', '-c', '-T0'], ['pipe', out.fd, 'pipe']);
    const run = zstd;
    const listening = await listenOnce(socket.socketPath, input.socketOwner);
    server = listening.server;
    void listening.accepted.then((sock) => {
      connection = sock;
      sock.on('data', (d: Buffer) => (streamBytes += d.length));
      if (run.child.stdin) sock.pipe(run.child.stdin);
    });
    // zstd gone early (disk full, killed): drop qemu's connection so qemu fails instead of blocking on it.
    void run.exited.then(() => connection?.destroy());

    await applyMigrationSettings(qmp, sourceCapabilities({ ...PLAIN_STREAM, autoConverge: false }), {
      'max-bandwidth': UNLIMITED_BANDWIDTH,
      'downtime-limit': QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
      ...tlsParameters(false, 'client'),
    });
    if (input.live !== true && wasRunning) await qmp.execute('stop');
    migrating = true;
    await qmp.execute('migrate', { uri: `unix:${socket.socketPath}` });
    const end = await pollMigration(qmp, {
      signal,
      intervalMs: input.pollIntervalMs ?? 500,
      cancellable: () => true,
      onInfo: (info) => report(migrationProgress(info), 'migrating'),
    });
    migrating = false;
    const { info } = end;
    if (end.cancelRequested) throw cancelledError('save');
    if (info.status !== 'completed') {
      const exit = await within(run.exited, 200);
      const zstdWords = exit && exit.code !== 0 ? zstdFailure(exit) : undefined;
      throw failedError('save', zstdWords ?? info['error-desc'] ?? `qemu reports ${info.status ?? '?'}`);
    }
    report(migrationProgress(info), 'migrating');
    const exit = await within(run.exited, 60_000);
    if (!exit) throw failedError('save', 'zstd did not finish within 60 s after the stream ended');
    if (exit.code !== 0) throw failedError('save', zstdFailure(exit));
    await out.sync();
    await out.close();
    await rename(part, file);
    return {
      sizeBytes: (await stat(file)).size,
      streamBytes,
      totalTimeMs: info['total-time'] ?? 0,
      downtimeMs: info.downtime ?? 0,
    };
  } catch (err) {
    if (migrating) await cancelAndSettle(qmp);
    connection?.destroy();
    zstd?.kill();
    await out.close().catch(() => undefined);
    await rm(part, { force: true });
    await resumeSource(qmp, wasRunning);
    if (err instanceof MigrationError) throw err;
    throw failedError('save', describeCause(err), err);
  } finally {
    server?.close();
    await socket.remove();
  }
}
