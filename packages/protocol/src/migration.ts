import { z } from 'zod';
import { ImageNameSchema } from './names.ts';

/**
 * The version of the server-to-server migration API (`/api/migrations/incoming`) this code speaks. Bump it
 * with any change a target on the previous version would refuse or misread: the target then answers the
 * source with a 409 `migration_version_mismatch` naming both versions, instead of a validation error.
 */
// 3: a guest's devices (with its TPM) travel in the configuration, a TPM guest's state in `tpmState`.
export const MIGRATION_PROTOCOL_VERSION = 3;

/** Knobs of qemu's migration (`migrate-set-parameters` / `migrate-set-capabilities`). */
export const MigrationOptionsSchema = z.strictObject({
  /** MiB/s; default: qemu's (128 MiB/s in qemu 7.2). */
  bandwidthMiBs: z.number().int().min(1).max(100_000).optional(),
  /** The longest the guest may be paused for the final pass, in ms; default: qemu's 300 ms. */
  maxDowntimeMs: z.number().int().min(1).max(60_000).optional(),
  /** Slow the guest's vCPUs down when it dirties memory faster than the link carries it. */
  autoConverge: z.boolean().default(false),
  /** Switch to post-copy after the first pass: the guest runs on the target while the rest follows on demand. */
  postcopy: z.boolean().default(false),
  /** Several parallel connections for RAM (both sides must agree). */
  multifd: z.boolean().default(false),
  /** Send only the XOR-delta of pages that were sent before (helps guests that rewrite the same pages). */
  xbzrle: z.boolean().default(false),
  /** Compress RAM with zstd: less data on the wire, more CPU on both hosts (implies multifd). */
  compress: z.enum(['none', 'zstd']).default('none'),
  /**
   * Send the live stream as plain TCP, for a trusted link only; by default qemu encrypts it with TLS
   * (certificates the target makes for this one migration).
   */
  plainStream: z.boolean().default(false),
});
export type MigrationOptions = z.infer<typeof MigrationOptionsSchema>;

/** The options of a request that may leave them out (a migration's own and the one its target receives). */
export const MigrationOptionsOrDefaultsSchema = MigrationOptionsSchema.default({
  autoConverge: false,
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compress: 'none',
  plainStream: false,
});

/** `POST /api/vms/:id/migrate`: move a guest to a peer, live when it runs, offline when it is stopped. */
export const MigrateRequestSchema = z.strictObject({
  peer: z.string().regex(/^[0-9a-f]{12}$/, 'pick a peer'),
  /** Mirror the disks to the target (no shared storage); else the same images must exist there. */
  copyStorage: z.boolean().default(false),
  /** Keep the (stopped) definition on this host afterwards. */
  keepDefinition: z.boolean().default(false),
  options: MigrationOptionsOrDefaultsSchema,
});
export type MigrateRequest = z.input<typeof MigrateRequestSchema>;

/** One precondition of a migration, checked before anything moves. */
export const MigrationCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** Plain words, e.g. "qemu 7.2.22 on both hosts" or "image web1.qcow2 is missing on host-b". */
  detail: z.string(),
});
export type MigrationCheck = z.infer<typeof MigrationCheckSchema>;

export const MigrationPhaseSchema = z.enum([
  'checking',
  'preparing',
  'mirroring',
  'migrating',
  'postcopy',
  'switching',
  'completed',
  'failed',
  'cancelled',
]);
export type MigrationPhase = z.infer<typeof MigrationPhaseSchema>;

/** What `query-migrate` (and the disk mirrors) say, for the progress bar. */
export const MigrationProgressSchema = z.object({
  /** 0..1 of the current pass (RAM), or of the disk copy while mirroring. */
  fraction: z.number(),
  transferredBytes: z.number(),
  remainingBytes: z.number(),
  totalBytes: z.number(),
  dirtyPagesRate: z.number(),
  /** ms qemu expects the final pause to take. */
  expectedDowntimeMs: z.number().optional(),
  /** Passes over memory so far (`dirty-sync-count`). */
  passes: z.number(),
  mbps: z.number().optional(),
  disk: z.object({ copiedBytes: z.number(), totalBytes: z.number() }).optional(),
});
export type MigrationProgress = z.infer<typeof MigrationProgressSchema>;

export const MigrationJobSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  vmName: z.string(),
  kind: z.enum(['live', 'offline', 'save', 'restore']),
  /** Peer id (live/offline) or the saved state's name (save/restore). */
  target: z.string(),
  targetName: z.string(),
  phase: MigrationPhaseSchema,
  checks: z.array(MigrationCheckSchema),
  progress: MigrationProgressSchema.optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** Why it failed or was cancelled. */
  error: z.string().optional(),
  /** When done: total time and the guest's actual pause, in ms (qemu's `total-time` and `downtime`). */
  totalTimeMs: z.number().optional(),
  downtimeMs: z.number().optional(),
  /** The VM's id on the target once it runs there. */
  targetVmId: z.string().optional(),
  /** What is worth knowing afterwards, e.g. "the source's images stay on this host". */
  notes: z.array(z.string()).optional(),
});
export type MigrationJob = z.infer<typeof MigrationJobSchema>;

/** `POST /api/vms/:id/save`: stop the guest into a compressed file of its state (qemu's migration stream). */
export const SaveStateRequestSchema = z.strictObject({
  /** The file name in the saved-states store; default `<vm>-<date>.vmstate.zst`. */
  name: ImageNameSchema.optional(),
});

export const SavedStateSchema = z.object({
  name: z.string(),
  vmId: z.string(),
  vmName: z.string(),
  sizeBytes: z.number(),
  createdAt: z.string(),
});
export type SavedState = z.infer<typeof SavedStateSchema>;
