import { z } from 'zod';

/** One address of a guest interface, as the guest agent reports it. */
export const GuestAddressSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string(),
  prefix: z.number().int(),
});
export type GuestAddress = z.infer<typeof GuestAddressSchema>;

export const GuestInterfaceSchema = z.object({
  name: z.string(),
  /** Absent when the guest gives none (e.g. some tunnels). */
  mac: z.string().optional(),
  addresses: z.array(GuestAddressSchema),
});
export type GuestInterface = z.infer<typeof GuestInterfaceSchema>;

export const GuestFilesystemSchema = z.object({
  mountpoint: z.string(),
  type: z.string(),
  /** Absent when the guest agent cannot tell (older agents, file systems without a size). */
  usedBytes: z.number().optional(),
  totalBytes: z.number().optional(),
});
export type GuestFilesystem = z.infer<typeof GuestFilesystemSchema>;

export const GuestOsSchema = z.object({
  /** e.g. "Debian GNU/Linux 12 (bookworm)": the OS's pretty name, else its name and version. */
  name: z.string(),
  id: z.string().optional(),
  version: z.string().optional(),
  kernelRelease: z.string().optional(),
  machine: z.string().optional(),
});
export type GuestOs = z.infer<typeof GuestOsSchema>;

/**
 * What the guest agent (qemu-guest-agent on a virtio-serial channel) tells about a guest, as
 * `GET /api/vms/:id/agent` answers it. `connected` is whether it answered the last ping; the facts are
 * those of the last time it answered (they stay while a reboot keeps it quiet).
 */
export const GuestAgentInfoSchema = z.object({
  /** `channel`: the guest runs with an agent channel (else `reason` says it has none). */
  channel: z.boolean(),
  connected: z.boolean(),
  /** Why not connected, in words: "no agent channel", "not answering: …". */
  reason: z.string().optional(),
  /** When the agent was last asked (ISO 8601). */
  checkedAt: z.string().optional(),
  /** The agent's own version. */
  version: z.string().optional(),
  os: GuestOsSchema.optional(),
  hostname: z.string().optional(),
  interfaces: z.array(GuestInterfaceSchema).optional(),
  filesystems: z.array(GuestFilesystemSchema).optional(),
});
export type GuestAgentInfo = z.infer<typeof GuestAgentInfoSchema>;

/** How a shutdown was asked of the guest: through its agent (`guest-shutdown`) or the ACPI power button. */
export const ShutdownViaSchema = z.enum(['guest-agent', 'acpi']);
export type ShutdownVia = z.infer<typeof ShutdownViaSchema>;
