// MigrationOptions -> qemu's migration capabilities and parameters, for the source and the incoming side.
import type { MigrationOptions } from '@virtweb/protocol';
import type { QmpClient, QmpMigrateParameters, QmpMigrationCapability } from '@virtweb/qmp';
import { tlsParameters } from './stream-tls.ts';

/** The options that change the stream's format: both sides must agree on them. */
export type StreamCapabilities = Pick<MigrationOptions, 'postcopy' | 'multifd' | 'xbzrle' | 'compress'>;

/** Knobs outside the HTTP contract; the defaults are qemu's. */
export interface MigrationTuning {
  /** Parallel connections with multifd; must be the same on both sides (qemu's default 2). */
  multifdChannels?: number;
  /** XBZRLE page cache on the source, in bytes (qemu's default 64 MiB). */
  xbzrleCacheBytes?: number;
}

export type CapabilityState = { capability: QmpMigrationCapability; state: boolean };

const MiB = 1024 * 1024;
/** qemu 7.2's defaults, set explicitly so that an earlier attempt on the same qemu leaves nothing behind. */
export const QEMU_DEFAULT_MAX_BANDWIDTH = 128 * MiB;
export const QEMU_DEFAULT_DOWNTIME_LIMIT_MS = 300;
export const QEMU_DEFAULT_MULTIFD_CHANNELS = 2;
/** For save/restore through a local pipe: qemu refuses more than SIZE_MAX / 1000 bytes/s, this is well below. */
export const UNLIMITED_BANDWIDTH = Number.MAX_SAFE_INTEGER;

// NOTE: capabilities and parameters live as long as the qemu process, so every one we manage is set each time
// (a cancelled post-copy attempt must not turn a later save into a post-copy stream).
function managed(caps: Partial<Record<QmpMigrationCapability, boolean>>): CapabilityState[] {
  return (Object.keys(caps) as QmpMigrationCapability[]).map((capability) => ({
    capability,
    state: caps[capability] === true,
  }));
}

/** qemu compresses only multifd channels (`multifd-compression`), so compression switches multifd on. */
const usesMultifd = (caps: StreamCapabilities): boolean => caps.multifd || caps.compress !== 'none';

/** Capabilities of the sending qemu. `events` is always on: MIGRATION events wake the progress poll. */
export function sourceCapabilities(
  options: StreamCapabilities & Pick<MigrationOptions, 'autoConverge'>,
): CapabilityState[] {
  return managed({
    events: true,
    'auto-converge': options.autoConverge,
    'postcopy-ram': options.postcopy,
    multifd: usesMultifd(options),
    xbzrle: options.xbzrle,
  });
}

/**
 * Capabilities of the receiving qemu (started with `-incoming defer`). NOTE: `late-block-activate` keeps the
 * target's disks inactive after the stream has arrived until our `cont`, so the NBD exports of a disk copy
 * can be shut down before the guest's own device takes the image (and its write lock) over.
 */
export function incomingCapabilities(caps: StreamCapabilities): CapabilityState[] {
  return managed({
    events: true,
    'late-block-activate': true,
    'postcopy-ram': caps.postcopy,
    multifd: usesMultifd(caps),
    xbzrle: caps.xbzrle,
  });
}

/**
 * Parameters of the sending qemu: the MiB/s limit in bytes/s, the downtime limit in ms, multifd's channels and
 * compression (reset to `none` when not asked: qemu keeps it across attempts), the XBZRLE cache, and TLS
 * (`encrypted`: the credentials `addStreamCreds` added; else reset to a plain stream).
 */
export function sourceParameters(
  options: MigrationOptions,
  tuning: MigrationTuning = {},
  encrypted = false,
): QmpMigrateParameters {
  const bandwidth =
    options.bandwidthMiBs === undefined ? QEMU_DEFAULT_MAX_BANDWIDTH : options.bandwidthMiBs * MiB;
  const params: QmpMigrateParameters = {
    'max-bandwidth': bandwidth,
    'downtime-limit': options.maxDowntimeMs ?? QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
    // 0 is "unlimited" in post-copy; a user's limit holds in both phases.
    'max-postcopy-bandwidth': options.bandwidthMiBs === undefined ? 0 : bandwidth,
    'multifd-channels': tuning.multifdChannels ?? QEMU_DEFAULT_MULTIFD_CHANNELS,
    'multifd-compression': options.compress,
    ...tlsParameters(encrypted, 'client'),
  };
  if (options.xbzrle && tuning.xbzrleCacheBytes !== undefined) {
    params['xbzrle-cache-size'] = tuning.xbzrleCacheBytes;
  }
  return params;
}

/**
 * Parameters of the receiving qemu: multifd's channel count and compression must match the source's; TLS as
 * in `sourceParameters`.
 */
export function incomingParameters(
  caps: StreamCapabilities,
  tuning: MigrationTuning = {},
  encrypted = false,
): QmpMigrateParameters {
  return {
    'multifd-channels': tuning.multifdChannels ?? QEMU_DEFAULT_MULTIFD_CHANNELS,
    'multifd-compression': caps.compress,
    ...tlsParameters(encrypted, 'server'),
  };
}

/** Capabilities and parameters of a plain stream (save, restore): nothing but events, no bandwidth limit. */
export const PLAIN_STREAM: StreamCapabilities = {
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compress: 'none',
};

/**
 * Sets capabilities, then parameters (qemu checks some parameters against the capabilities).
 * @throws QmpExecuteError while a migration is running, or for values qemu refuses.
 */
export async function applyMigrationSettings(
  qmp: QmpClient,
  capabilities: CapabilityState[],
  parameters: QmpMigrateParameters,
): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities });
  await qmp.execute('migrate-set-parameters', parameters);
}
