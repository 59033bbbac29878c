import { z } from 'zod';

export const AccelSchema = z.enum(['auto', 'kvm', 'tcg']);
export type Accel = z.infer<typeof AccelSchema>;
/** What actually runs: `auto` is resolved to one of these when a guest starts. */
export const ResolvedAccelSchema = z.enum(['kvm', 'tcg']);
export type ResolvedAccel = z.infer<typeof ResolvedAccelSchema>;

export const KvmStatusSchema = z.object({
  present: z.boolean(),
  usable: z.boolean(),
  /** Plain words: why KVM can or cannot be used ("KVM present but not usable: ..."). */
  reason: z.string(),
  /** `vmx` (Intel VT-x), `svm` (AMD-V) or null: the seed's `egrep '(vmx|svm)' /proc/cpuinfo`. */
  cpuFlag: z.enum(['vmx', 'svm']).nullable(),
  devKvm: z.object({ exists: z.boolean(), accessible: z.boolean() }),
  /** How long the probe guest ran, in ms (null when no probe was run). */
  probeMs: z.number().nullable(),
});
export type KvmStatus = z.infer<typeof KvmStatusSchema>;

/** What qemu runs as and under which sandbox. */
export const QemuConfinementSchema = z.object({
  /** VIRTWEB_QEMU_USER (default virtweb-qemu) when the server is root, else the server's own user. */
  user: z.string(),
  /** null when the user does not exist (then `problem` says so). */
  uid: z.number().int().nullable(),
  gid: z.number().int().nullable(),
  /** True when qemu runs as the server's own user because the server is not root. */
  serverUser: z.boolean(),
  /** qemu's `-sandbox` option, the same on every guest. */
  sandbox: z.string(),
  /** Why no guest can start (the user is missing), with the fix; starts answer 409 `qemu_user` with it. */
  problem: z.string().optional(),
});
export type QemuConfinement = z.infer<typeof QemuConfinementSchema>;

/** A server's display name (default: its hostname): how peers and the guests list name it. */
export const ServerNameSchema = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(63, 'at most 63 characters')
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');

/** `PUT /api/host/name`. */
export const SetServerNameRequestSchema = z.strictObject({ name: ServerNameSchema });
export type SetServerNameRequest = z.input<typeof SetServerNameRequestSchema>;

/** The certificate a server presents over HTTPS (what a browser shows and a peer pins). */
export const HostTlsSchema = z.object({
  /** SHA-256 of the certificate, `AB:CD:…` (32 bytes). */
  fingerprint: z.string(),
  /** `generated`: self-signed, made on the first start; `files`: the admin's (VIRTWEB_TLS_CERT/_KEY). */
  source: z.enum(['generated', 'files']),
  /** The names and addresses it is valid for. */
  names: z.array(z.string()),
  validTo: z.string(),
});
export type HostTls = z.infer<typeof HostTlsSchema>;

export const HostInfoSchema = z.object({
  hostname: z.string(),
  /** The display name (default: the hostname); optional: peers running an older virtweb do not send it. */
  name: z.string().optional(),
  qemu: z.object({
    version: z.string(),
    binary: z.string(),
    /** Optional: peers running an older virtweb do not send it. */
    confinement: QemuConfinementSchema.optional(),
  }),
  accel: z.object({
    /** Server default for guests that say `auto` (from VIRTWEB_ACCEL). */
    default: AccelSchema,
    /** What `auto` resolves to on this host. */
    auto: ResolvedAccelSchema,
    kvm: KvmStatusSchema,
  }),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  /** Host interfaces a guest NIC can use: Linux bridges (`-netdev bridge`) and existing tap devices. */
  network: z.object({ bridges: z.array(z.string()), taps: z.array(z.string()) }),
  /** Whether OVMF (Debian's `ovmf`) is installed: UEFI and UEFI with Secure Boot. */
  firmware: z.object({ uefi: z.boolean(), secureBoot: z.boolean() }),
  /** Whether guests can have a TPM 2.0 (swtpm and swtpm_setup installed), and why not; absent from older peers. */
  tpm: z.object({ swtpm: z.boolean(), problem: z.string().optional() }).optional(),
  /** The HTTPS certificate; null when the server speaks plain HTTP (VIRTWEB_TLS=off); absent from older peers. */
  tls: HostTlsSchema.nullable().optional(),
  /**
   * The host's CPU (model name, feature flags) and qemu's named CPU models a guest can have; absent from older
   * peers.
   */
  cpu: z
    .object({ model: z.string(), flags: z.array(z.string()), qemuModels: z.array(z.string()) })
    .optional(),
  /** The host's 2 MiB huge pages (reserved with vm.nr_hugepages, and free), for guests backed by them. */
  hugepages: z.object({ pageKiB: z.number(), total: z.number(), free: z.number() }).optional(),
  /** The file system of the images dir (what new images and uploads take from); absent when unreadable. */
  storage: z.object({ freeBytes: z.number(), totalBytes: z.number() }).optional(),
});
export type HostInfo = z.infer<typeof HostInfoSchema>;
