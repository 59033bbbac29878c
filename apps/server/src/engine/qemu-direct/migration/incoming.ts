// The receiving qemu (started with `-incoming defer` and `-S`): listen, take the disks' copies over NBD, and
// start the guest once the stream has arrived.
import { isQmpClosedError, isQmpInterruptedError, type QmpClient, type QmpMigrationInfo } from '@virtweb/qmp';
import {
  applyMigrationSettings,
  incomingCapabilities,
  incomingParameters,
  type MigrationTuning,
  type StreamCapabilities,
} from './capabilities.ts';
import { cancelledError, describeCause, failedError, MigrationError } from './errors.ts';
import type { MirrorTarget, NbdDisk } from './mirror.ts';
import { probeFreePort, tcpUri } from './net-address.ts';
import { addStreamCreds, dropStreamTls, MIGRATION_TLS_ID, type StreamTls } from './stream-tls.ts';
import { Ticker } from './ticker.ts';

export interface PrepareIncomingOptions {
  /** Address to listen on (e.g. `0.0.0.0`, `127.0.0.1`). */
  listenHost: string;
  /** Default 0: the kernel picks a free port and qemu reports it. */
  port?: number;
  /** Must equal the source's options (`MigrationOptions` fits). */
  capabilities: StreamCapabilities;
  tuning?: MigrationTuning;
  /** The host the source must connect to, when `listenHost` is a wildcard; default `listenHost`. */
  advertiseHost?: string;
  /** Encrypt the stream (the server's credentials); absent: a plain TCP stream. */
  tls?: StreamTls;
}

export interface IncomingEndpoint {
  /** For the source's `runLiveMigration({ uri })`. */
  uri: string;
  port: number;
}

const QMP_TIMEOUT_MS = 30_000;

/**
 * Sets the stream capabilities the source will use and starts listening (`migrate-incoming tcp:`).
 * NOTE: the port is 0 by default: qemu binds a port the kernel picks and reports it in query-migrate's
 * `socket-address`, so two migrations at once never race for a probed "free" port, and no range needs
 * reserving. This is why the target starts with `-incoming defer`: the capabilities (multifd, post-copy)
 * must be set before qemu listens.
 * @throws MigrationError (failed) when qemu is not waiting for a stream or refuses to listen.
 */
export async function prepareIncoming(
  qmp: QmpClient,
  opts: PrepareIncomingOptions,
): Promise<IncomingEndpoint> {
  const status = await qmp.execute('query-status');
  if (status.status !== 'inmigrate') {
    throw failedError('incoming migration', `the target is ${status.status}, not waiting for a stream`);
  }
  try {
    if (opts.tls) await addStreamCreds(qmp, opts.tls, 'server');
    await applyMigrationSettings(
      qmp,
      incomingCapabilities(opts.capabilities),
      incomingParameters(opts.capabilities, opts.tuning, opts.tls !== undefined),
    );
    await qmp.execute('migrate-incoming', { uri: tcpUri(opts.listenHost, opts.port ?? 0) });
    const port = listeningPort(await qmp.execute('query-migrate'));
    if (port === undefined) throw new Error('qemu did not report its listening port');
    return { uri: tcpUri(opts.advertiseHost ?? opts.listenHost, port), port };
  } catch (err) {
    if (opts.tls) await dropStreamTls(qmp);
    throw failedError('incoming migration', describeCause(err), err);
  }
}

function listeningPort(info: QmpMigrationInfo): number | undefined {
  for (const address of info['socket-address'] ?? []) {
    if (address.type === 'inet') return Number(address.port);
  }
  return undefined;
}

export interface NbdExportsOptions {
  listenHost: string;
  /** Default: a free port probed on `listenHost` (qemu cannot report the port of its NBD server). */
  port?: number;
  /** The target's disk nodes (fresh images of the source disks' virtual size) and their export names. */
  disks: NbdDisk[];
  advertiseHost?: string;
  /** Over TLS, with the stream's server credentials (`prepareIncoming({ tls })` added them). */
  encrypted?: boolean;
}

const PORT_ATTEMPTS = 5;

/**
 * Serves the target's disk nodes as writable NBD exports for the source's mirror jobs. The disks become
 * active for the exports (qemu activates an exported node even during an incoming migration).
 * @returns what the source passes as `runLiveMigration({ mirror })`.
 * @throws MigrationError (failed); nothing is left serving after a failure.
 */
export async function startNbdExports(qmp: QmpClient, opts: NbdExportsOptions): Promise<MirrorTarget> {
  const port = await startNbdServer(qmp, opts.listenHost, opts.port, opts.encrypted === true);
  try {
    for (const disk of opts.disks) {
      await qmp.execute('block-export-add', {
        type: 'nbd',
        id: exportId(disk),
        'node-name': disk.node,
        name: disk.exportName,
        writable: true,
      });
    }
  } catch (err) {
    await qmp.execute('nbd-server-stop').catch(() => undefined);
    throw failedError('disk export', describeCause(err), err);
  }
  return { targetHost: opts.advertiseHost ?? opts.listenHost, port, disks: opts.disks };
}

const exportId = (disk: NbdDisk): string => `migrate-export-${disk.node}`;

async function startNbdServer(
  qmp: QmpClient,
  host: string,
  fixedPort: number | undefined,
  encrypted: boolean,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await probeFreePort(host));
    try {
      await qmp.execute('nbd-server-start', {
        addr: { type: 'inet', data: { host, port: String(port) } },
        ...(encrypted ? { 'tls-creds': MIGRATION_TLS_ID } : {}),
      });
      return port;
    } catch (err) {
      // NOTE: qemu reports a taken port only in words ("Address already in use"); retry a probed port then.
      const taken = /in use/i.test(describeCause(err));
      if (fixedPort !== undefined || !taken || attempt >= PORT_ATTEMPTS) {
        throw failedError('disk export', describeCause(err), err);
      }
    }
  }
}

/**
 * Waits until the whole stream has arrived (or post-copy has begun: then the rest follows on demand), stops
 * the NBD exports, starts the guest (`cont`) and checks it runs. Call it only after the source's
 * `runLiveMigration` has resolved (or reported phase `postcopy`): the source ends its disk mirrors first.
 * @throws MigrationError failed when the stream failed (qemu's `error-desc`; qemu exits after a failed
 *   load, so a closed QMP connection means the same), cancelled when `signal` aborts.
 */
export async function finishIncoming(
  qmp: QmpClient,
  opts: { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  try {
    await waitStreamArrived(qmp, opts);
    await closeIncoming(qmp);
    await qmp.execute('cont', { timeoutMs: QMP_TIMEOUT_MS });
    const status = await qmp.execute('query-status');
    if (status.status !== 'running') throw new Error(`the guest is ${status.status} after cont`);
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    const gone = isQmpInterruptedError(err) || isQmpClosedError(err);
    throw failedError('incoming migration', gone ? 'the target qemu has exited' : describeCause(err), err);
  }
}

/**
 * After the stream has arrived: stops the NBD exports of a disk copy and drops the stream's TLS credentials
 * (this qemu may save to a file later, with the same parameters).
 */
export async function closeIncoming(qmp: QmpClient): Promise<void> {
  const exports = await qmp.execute('query-block-exports');
  if (exports.some((e) => e.type === 'nbd')) await qmp.execute('nbd-server-stop');
  await dropStreamTls(qmp);
}

/**
 * Resolves once the incoming stream is loaded (`completed`, run state no longer `inmigrate`) or post-copy
 * has begun.
 * @throws MigrationError failed (`error-desc`), cancelled (signal); QMP errors when qemu has exited.
 */
export async function waitStreamArrived(
  qmp: QmpClient,
  opts: { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const ticker = new Ticker(opts.signal);
  const onMigration = ticker.wake;
  qmp.on('MIGRATION', onMigration);
  try {
    for (;;) {
      if (opts.signal?.aborted === true) throw cancelledError('incoming migration');
      const info = await qmp.execute('query-migrate', { timeoutMs: QMP_TIMEOUT_MS });
      if (info.status === 'failed' || info.status === 'cancelled') {
        throw failedError('incoming migration', info['error-desc'] ?? `stream ${info.status}`);
      }
      if (info.status === 'postcopy-active') return;
      if (info.status === 'completed') {
        const { status } = await qmp.execute('query-status');
        if (status !== 'inmigrate') return;
      }
      if (Date.now() > deadline) throw failedError('incoming migration', 'the stream did not arrive in time');
      await ticker.sleep(opts.intervalMs ?? 250);
    }
  } finally {
    qmp.off('MIGRATION', onMigration);
    ticker.dispose();
  }
}
