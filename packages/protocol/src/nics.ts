import { z } from 'zod';
import { slotSchema } from './slots.ts';

/** A guest has NIC slots 0..7; a NIC keeps its slot for life (qemu ids `net<slot>`, `net<slot>-nic`). */
export const MAX_NICS = 8;

/** virtio: virtio-net (needs guest drivers). e1000, e1000e: emulated Intel NICs. rtl8139: Realtek, very old OSes. */
export const NicModelSchema = z.enum(['virtio', 'e1000', 'e1000e', 'rtl8139']);
export type NicModel = z.infer<typeof NicModelSchema>;

export const NicSlotSchema = slotSchema(MAX_NICS, 'NIC');

/**
 * A NIC's MAC address: six hex octets, stored lowercase. Unicast (the low bit of the first octet is 0: an odd
 * first octet is a multicast group, which no NIC may have) and not all zero.
 */
export const MacSchema = z
  .string()
  .regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a MAC address is six hex octets, like 52:54:00:ab:cd:ef')
  .transform((mac) => mac.toLowerCase())
  .refine(
    (mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0,
    'a MAC whose first octet is odd is a multicast address: a NIC needs a unicast one (e.g. 52:54:00:...)',
  )
  .refine((mac) => mac !== '00:00:00:00:00:00', 'the all-zero MAC is not an address');

/** The name of a managed network (a bridge the server runs, see /api/networks). */
export const ManagedNetworkNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,14}$/, 'a network name is 1-15 of a-z 0-9 -, starting with a letter');

const PortSchema = z.number().int().min(1, 'ports are 1 to 65535').max(65535, 'ports are 1 to 65535');

/** A user-mode NAT port forward: connections to host `hostAddress:hostPort` reach guest port `guestPort`. */
export const PortForwardSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /** `127.0.0.1`: only this host can connect; `0.0.0.0`: every interface (other machines too). */
  hostAddress: z.enum(['127.0.0.1', '0.0.0.0']).default('127.0.0.1'),
  hostPort: PortSchema,
  guestPort: PortSchema,
});
export type PortForward = z.infer<typeof PortForwardSchema>;

/** A host network interface name (Linux IFNAMSIZ: at most 15 bytes). */
export const InterfaceNameSchema = z
  .string()
  .min(1, 'interface name is empty')
  .max(15, 'interface names are at most 15 characters')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'not an interface name');

const PortForwardsSchema = z.array(PortForwardSchema).max(32, 'at most 32 port forwards').default([]);

/**
 * Where a NIC connects, by `mode`: user-mode NAT (slirp) with port forwards, a host bridge (the server makes
 * the tap), an existing tap, or a managed network (its bridge, a tap made as for `bridge`).
 */
function attachments<S extends z.ZodRawShape>(common: S) {
  return z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('user'), ...common, portForwards: PortForwardsSchema }),
    z.strictObject({ mode: z.literal('bridge'), ...common, bridge: InterfaceNameSchema }),
    z.strictObject({ mode: z.literal('tap'), ...common, tap: InterfaceNameSchema }),
    z.strictObject({ mode: z.literal('network'), ...common, network: ManagedNetworkNameSchema }),
  ]);
}

/** A NIC as stored and shown: every field known. */
export const NicSchema = attachments({
  mac: MacSchema,
  model: NicModelSchema,
  /** The cable: false is a NIC whose link is down (QMP set_link), kept across restarts. */
  linkUp: z.boolean().default(true),
  slot: NicSlotSchema,
});
export type Nic = z.output<typeof NicSchema>;
export type NicInput = z.input<typeof NicSchema>;
export type NicMode = Nic['mode'];

/** A NIC in a request: a left-out model is the OS preset's, a left-out MAC is generated, a slot the lowest free. */
export const NicRequestSchema = attachments({
  mac: MacSchema.optional(),
  model: NicModelSchema.optional(),
  linkUp: z.boolean().default(true),
  slot: NicSlotSchema.optional(),
});
export type NicRequest = z.input<typeof NicRequestSchema>;

/** Slots and MACs given in one list are each used once. */
function checkNicList(
  nics: readonly { slot?: number | undefined; mac?: string | undefined }[],
  ctx: z.RefinementCtx,
) {
  const slots = new Set<number>();
  const macs = new Set<string>();
  nics.forEach((nic, i) => {
    if (nic.slot !== undefined) {
      if (slots.has(nic.slot))
        ctx.addIssue({ code: 'custom', path: [i, 'slot'], message: `two NICs in slot ${nic.slot}` });
      slots.add(nic.slot);
    }
    if (nic.mac !== undefined) {
      if (macs.has(nic.mac))
        ctx.addIssue({ code: 'custom', path: [i, 'mac'], message: `two NICs with MAC ${nic.mac}` });
      macs.add(nic.mac);
    }
  });
}

/** A guest's NICs (none: no network at all). */
export const NicsSchema = z
  .array(NicSchema)
  .max(MAX_NICS, `at most ${MAX_NICS} NICs`)
  .superRefine(checkNicList);
export const NicsRequestSchema = z
  .array(NicRequestSchema)
  .max(MAX_NICS, `at most ${MAX_NICS} NICs`)
  .superRefine(checkNicList);

/** `PATCH /api/vms/:id/nics/:slot`: the link at once (live on a running guest); model and MAC at the next start. */
export const NicPatchRequestSchema = z
  .strictObject({
    linkUp: z.boolean().optional(),
    model: NicModelSchema.optional(),
    mac: MacSchema.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'nothing to change: give linkUp, model or mac');
export type NicPatchRequest = z.input<typeof NicPatchRequestSchema>;
