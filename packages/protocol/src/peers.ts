import { z } from 'zod';
import { VmSchema } from './vms.ts';

/**
 * What an API token may do (one scope per token; a logged-in browser session is `admin`):
 * - `read`: look at everything (every GET but the screenshot and the token, peer and cluster lists);
 * - `operate`: `read`, plus lifecycle, consoles (screen, serial), images, storage, snapshots, migrations;
 * - `admin`: everything a token may do, including the HMP monitor, QMP and signals to qemu;
 * - `peer`: only what another virtweb server needs for peering and migration (not a superset of `read`).
 * `admin` includes `operate`, `read` and `peer`. Managing tokens and peers needs a logged-in user.
 */
export const TokenScopeSchema = z.enum(['read', 'operate', 'admin', 'peer'], {
  error: 'choose a scope: read, operate, admin or peer',
});
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** API tokens let another virtweb server (or a script) call this one: `Authorization: Bearer <token>`. */
export const CreateTokenRequestSchema = z.strictObject({
  /** What the token is for, e.g. the peer that will use it. */
  name: z
    .string()
    .trim()
    .min(1, 'name is empty')
    .max(64, 'name is longer than 64 characters')
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\x00-\x1f\x7f]*$/, 'no control characters'),
  /** Required: what the token may do (there is no default, so nobody gets more or less than they chose). */
  scope: TokenScopeSchema,
});
export type CreateTokenRequest = z.input<typeof CreateTokenRequestSchema>;

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: TokenScopeSchema,
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

/** The answer to creating a token: the only time the secret is shown (only its hash is stored). */
export const CreatedTokenSchema = ApiTokenSchema.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;

/** Peer ids: 12 lowercase hex digits, like VM ids. */
export const PeerIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'not a peer id');

/** The base URL of another virtweb server: http(s), a host, no credentials, query or fragment. */
export const PeerUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => URL.canParse(s), 'not a URL (e.g. https://host-b:8443)')
  .transform((s) => new URL(s))
  .refine((u) => u.protocol === 'http:' || u.protocol === 'https:', 'use http:// or https://')
  .refine((u) => u.username === '' && u.password === '', 'no user or password in the URL: use a token')
  .refine((u) => u.search === '' && u.hash === '', 'no query or fragment in the URL')
  .transform((u) => u.origin + u.pathname.replace(/\/+$/, ''));

/** A certificate's SHA-256 fingerprint: 32 bytes in hex, colon-separated (`AB:CD:…`), as browsers show it. */
export const FingerprintSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'not a SHA-256 fingerprint (32 hex bytes like AB:CD:…)');

export const AddPeerRequestSchema = z.strictObject({
  url: PeerUrlSchema,
  /** A token created on the peer (`POST /api/tokens` there). */
  token: z.string().trim().min(1, 'token is empty').max(256),
  /**
   * For an https:// peer: the fingerprint of its certificate, as `POST /api/peers/certificate` showed it and the
   * user confirmed; every later call to the peer must meet this certificate. None for http://.
   */
  fingerprint: FingerprintSchema.optional(),
});
export type AddPeerRequest = z.input<typeof AddPeerRequestSchema>;

/** `POST /api/peers/certificate`: which certificate a peer URL presents, before adding it. */
export const PeerCertificateRequestSchema = z.strictObject({ url: PeerUrlSchema });
export type PeerCertificateRequest = z.input<typeof PeerCertificateRequestSchema>;

/** The certificate an https:// peer presents (null fingerprint: an http:// URL, nothing to pin). */
export const PeerCertificateSchema = z.object({
  url: z.string(),
  fingerprint: z.string().nullable(),
  /** The names and addresses it is valid for. */
  names: z.array(z.string()),
  /** ISO 8601, '' when unknown. */
  validTo: z.string(),
});
export type PeerCertificate = z.infer<typeof PeerCertificateSchema>;

/** What a peer says about itself (its `/api/host` and guest count), for placing guests. */
export const PeerCapacitySchema = z.object({
  hostname: z.string(),
  qemuVersion: z.string(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  /** Memory of the peer's guests that have a qemu process (their configured size). */
  guestMemoryBytes: z.number(),
  guests: z.number().int(),
  runningGuests: z.number().int(),
});
export type PeerCapacity = z.infer<typeof PeerCapacitySchema>;

export const PeerHealthSchema = z.object({
  /** `certificate`: the peer presents another certificate than the one pinned when it was added. */
  status: z.enum(['ok', 'unreachable', 'unauthorized', 'certificate', 'error', 'unknown']),
  /** Plain words when not ok, e.g. "connect ECONNREFUSED 127.0.0.1:8081". */
  message: z.string().optional(),
  checkedAt: z.string().optional(),
  latencyMs: z.number().optional(),
});
export type PeerHealth = z.infer<typeof PeerHealthSchema>;

export const PeerSchema = z.object({
  id: z.string(),
  /** The peer's display name (its hostname unless renamed there), as its last answer said. */
  name: z.string(),
  url: z.string(),
  /** The pinned SHA-256 fingerprint of its certificate (https:// peers added with one). */
  fingerprint: z.string().optional(),
  addedAt: z.string(),
  health: PeerHealthSchema,
  capacity: PeerCapacitySchema.optional(),
});
export type Peer = z.infer<typeof PeerSchema>;

/** `GET /api/peers/self`: who a server is (a random id made on its first start), so no server adds itself. */
export const ServerIdentitySchema = z.object({
  serverId: z.string(),
  hostname: z.string(),
  /** The display name; optional: peers running an older virtweb do not send it. */
  name: z.string().optional(),
});
export type ServerIdentity = z.infer<typeof ServerIdentitySchema>;

/** `GET /api/cluster/vms`: the guests of this host and of every peer, grouped by host. */
export const HostGuestsSchema = z.object({
  /** `local` for this server, else the peer id. */
  host: z.string(),
  name: z.string(),
  url: z.string().optional(),
  vms: z.array(VmSchema),
  /** Why the peer's guests could not be listed. */
  error: z.string().optional(),
});
export type HostGuests = z.infer<typeof HostGuestsSchema>;
export const ClusterGuestsSchema = z.array(HostGuestsSchema);
