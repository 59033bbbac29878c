// The server-to-server part of a migration (`/api/migrations/incoming`): what the source asks of the target
// and what the target answers. Both ends are virtweb servers, so these schemas live with the server.
import { z } from 'zod';
import {
  CreateVmRequestSchema,
  ImageFormatSchema,
  ImageNameSchema,
  MAX_DISKS,
  MIGRATION_PROTOCOL_VERSION,
  MigrationOptionsOrDefaultsSchema,
  ResolvedAccelSchema,
} from '@virtweb/protocol';
import { ClientCredsSchema } from './stream-certs.ts';

/** A disk of the migrating VM, in the order of `config.disks`. */
export const IncomingDiskSchema = z.strictObject({
  image: ImageNameSchema,
  /** The disk's slot on the source: the guest's device addresses must stay the same. */
  index: z
    .number()
    .int()
    .min(0)
    .max(MAX_DISKS - 1),
  /**
   * The format the source opens it with (recorded at attach). A disk made here (`create`) is made in it; an
   * existing image is inspected by the target, which uses the format it detects and refuses the disk when
   * that is not this one.
   */
  format: ImageFormatSchema,
  virtualSize: z.number().int().positive(),
  /** Copy storage: the target creates an empty image of this size and format and the source mirrors into it. */
  create: z.boolean(),
});
export type IncomingDisk = z.infer<typeof IncomingDiskSchema>;

/** The largest UEFI variable store a target takes (OVMF's 4M build has 540672 bytes). */
export const MAX_NVRAM_BYTES = 2 ** 20;
/**
 * The body limit of `POST /api/migrations/incoming` (mounted before the API's 64 kB one): the store in base64
 * (4/3 of its size) and the configuration.
 */
/** How much of a guest's serial log a migration carries (the end of it). */
export const SERIAL_LOG_MOVED_BYTES = 256 * 1024;
/** The largest TPM state a target takes (swtpm's tpm2-00.permall is a few KiB; NV indices make it grow). */
export const MAX_TPM_STATE_BYTES = 256 * 1024;
export const INCOMING_BODY_LIMIT = 2 * MAX_NVRAM_BYTES + 2 * SERIAL_LOG_MOVED_BYTES + 2 * MAX_TPM_STATE_BYTES;

/** Who sends a request (for the target's log, its VM list and its words). */
const SourceHostSchema = z.strictObject({ hostname: z.string().max(256) });

/**
 * `POST /api/migrations/incoming/handshake`: before a migration the source asks whether the target speaks its
 * protocol. The target checks `migrationProtocol` before anything else (409 `migration_version_mismatch`).
 */
export const HandshakeRequestSchema = z.strictObject({
  migrationProtocol: z.literal(MIGRATION_PROTOCOL_VERSION),
  source: SourceHostSchema,
});
export type HandshakeRequest = z.infer<typeof HandshakeRequestSchema>;

export const HandshakeAnswerSchema = z.object({
  migrationProtocol: z.number().int(),
  /**
   * The target's image store id (`images/store-id.ts`): the same as the source's only when both see one images
   * dir (shared storage). Absent from an older target, which then counts as another store.
   */
  storeId: z.string().max(64).optional(),
});
export type HandshakeAnswer = z.infer<typeof HandshakeAnswerSchema>;

/** `POST /api/migrations/incoming` */
export const IncomingRequestSchema = z.strictObject({
  /** Checked by the target before the rest of the body (409 `migration_version_mismatch`). */
  migrationProtocol: z.literal(MIGRATION_PROTOCOL_VERSION),
  /** `live`: start qemu waiting for the stream; `offline`: only define the VM (its images are uploaded). */
  kind: z.enum(['live', 'offline']),
  /** The VM's configuration, validated by the target with its own rules (as a create). */
  config: CreateVmRequestSchema,
  disks: z.array(IncomingDiskSchema),
  /** Live: the guest was paused on the source; it arrives paused too (finish does not start it). */
  paused: z.boolean().default(false),
  /** Live: the accelerator the source's qemu runs with (the stream only loads into the same one). */
  accel: ResolvedAccelSchema.optional(),
  /** Live: stream capabilities both sides must share. */
  options: MigrationOptionsOrDefaultsSchema,
  /**
   * A UEFI guest's variable store (`<id>_VARS.fd`), base64; absent for BIOS guests and for a UEFI guest
   * never started (the target makes its store from the template at the first start, as for any new VM).
   */
  nvram: z
    .base64()
    .max(Math.ceil(MAX_NVRAM_BYTES / 3) * 4)
    .optional(),
  /**
   * A TPM guest's swtpm state (`tpm2-00.permall`), base64; absent when the guest has no TPM or its TPM was never
   * manufactured. A live migration's stream carries the running TPM's state over it.
   */
  tpmState: z
    .base64()
    .max(Math.ceil(MAX_TPM_STATE_BYTES / 3) * 4)
    .optional(),
  /** The end of the guest's serial log on the source (base64): its console history moves with it. */
  serialLog: z
    .base64()
    .max(Math.ceil(SERIAL_LOG_MOVED_BYTES / 3) * 4)
    .optional(),
  /** Who sends it (for the target's log and its VM list). */
  source: SourceHostSchema.extend({ vmId: z.string().max(64) }),
});
/** What a migration plan asks of the target; `postIncoming` adds the protocol version when it sends it. */
export type IncomingRequest = Omit<z.input<typeof IncomingRequestSchema>, 'migrationProtocol'>;

/** The target's NBD server for copy storage (`MirrorTarget` of the engine). */
export const NbdTargetSchema = z.object({
  targetHost: z.string(),
  port: z.number().int(),
  disks: z.array(z.object({ node: z.string(), exportName: z.string() })),
});

export const IncomingAnswerSchema = z.object({
  incomingId: z.string(),
  vmId: z.string(),
  /** Live: where the target's qemu listens (`tcp:host:port`, the host as the target knows itself). */
  uri: z.string().optional(),
  nbd: NbdTargetSchema.optional(),
  /** Live, unless the source asked for a plain stream: the source's credentials for the encrypted stream. */
  tls: ClientCredsSchema.optional(),
});
export type IncomingAnswer = z.infer<typeof IncomingAnswerSchema>;

/**
 * `GET /api/migrations/incoming/:id`. `waiting`: qemu waits for (or receives) the stream; `finishing`: the
 * guest is being started; `running`: done, the VM runs here; `failed` / `aborted`: the VM is gone again.
 */
export const IncomingStatusSchema = z.object({
  incomingId: z.string(),
  vmId: z.string(),
  kind: z.enum(['live', 'offline']),
  state: z.enum(['waiting', 'finishing', 'running', 'failed', 'aborted']),
  error: z.string().optional(),
});
export type IncomingStatus = z.infer<typeof IncomingStatusSchema>;

export const IncomingIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'not an incoming migration id');
