// Live migration: its status and statistics, capabilities and parameters.
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpEmpty } from './message.ts';
import type { QmpSocketAddress } from './socket-address.ts';

export type QmpMigrationStatus =
  | 'none'
  | 'setup'
  | 'cancelling'
  | 'cancelled'
  | 'active'
  | 'postcopy-active'
  | 'postcopy-paused'
  | 'postcopy-recover'
  | 'completed'
  | 'failed'
  | 'colo'
  | 'pre-switchover'
  | 'device'
  | 'wait-unplug';

export type QmpMigrationStats = {
  transferred: number;
  remaining: number;
  total: number;
  duplicate: number;
  normal: number;
  'normal-bytes': number;
  'dirty-pages-rate': number;
  mbps: number;
  'dirty-sync-count': number;
  'page-size': number;
  'pages-per-second': number;
  [key: string]: unknown;
};

export type QmpMigrationInfo = {
  status?: QmpMigrationStatus;
  ram?: QmpMigrationStats;
  disk?: QmpMigrationStats;
  'total-time'?: number;
  'expected-downtime'?: number;
  downtime?: number;
  'setup-time'?: number;
  'cpu-throttle-percentage'?: number;
  'error-desc'?: string;
  'blocked-reasons'?: string[];
  /** Incoming side: where `migrate-incoming` listens (the actual port when it was given as 0). */
  'socket-address'?: QmpSocketAddress[];
  [key: string]: unknown;
};

export type QmpMigrationCapability =
  | 'xbzrle'
  | 'rdma-pin-all'
  | 'auto-converge'
  | 'zero-blocks'
  | 'compress'
  | 'events'
  | 'postcopy-ram'
  | 'x-colo'
  | 'release-ram'
  | 'block'
  | 'return-path'
  | 'pause-before-switchover'
  | 'multifd'
  | 'dirty-bitmaps'
  | 'postcopy-blocktime'
  | 'late-block-activate'
  | 'x-ignore-shared'
  | 'validate-uuid'
  | 'background-snapshot'
  | 'zero-copy-send'
  | 'postcopy-preempt';

export type QmpMigrateParameters = {
  'max-bandwidth'?: number;
  'downtime-limit'?: number;
  'xbzrle-cache-size'?: number;
  'max-postcopy-bandwidth'?: number;
  'max-cpu-throttle'?: number;
  'multifd-channels'?: number;
  'multifd-compression'?: 'none' | 'zlib' | 'zstd';
  'tls-creds'?: string | null;
  'tls-hostname'?: string | null;
  'tls-authz'?: string | null;
  [key: string]: unknown;
};

/** Commands of a migration, outgoing and incoming. */
export interface QmpMigrationCommands {
  'query-migrate': { return: QmpMigrationInfo };
  migrate: {
    args: { uri: string; blk?: boolean; inc?: boolean; detach?: boolean; resume?: boolean };
    return: QmpEmpty;
  };
  'migrate-incoming': { args: { uri: string }; return: QmpEmpty };
  migrate_cancel: { return: QmpEmpty };
  'migrate-set-capabilities': {
    args: { capabilities: { capability: QmpMigrationCapability; state: boolean }[] };
    return: QmpEmpty;
  };
  'migrate-set-parameters': { args: QmpMigrateParameters; return: QmpEmpty };
  'migrate-start-postcopy': { return: QmpEmpty };
  'query-migrate-capabilities': {
    return: { capability: QmpMigrationCapability; state: boolean }[];
  };
  'query-migrate-parameters': { return: QmpMigrateParameters };
  /** Credentials for an encrypted stream (`tls-creds-x509`); qemu reads the files in `dir` when it is added. */
  'object-add': { args: QmpTlsCredsX509; return: QmpEmpty };
  'object-del': { args: { id: string }; return: QmpEmpty };
}

/** A `tls-creds-x509` object: `dir` holds ca-cert.pem and server-/client-cert.pem and -key.pem. */
export interface QmpTlsCredsX509 {
  'qom-type': 'tls-creds-x509';
  id: string;
  dir: string;
  endpoint: 'server' | 'client';
  'verify-peer': boolean;
}
