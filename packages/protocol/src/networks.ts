// Managed networks (`/api/networks`): a NAT or isolated bridge with DHCP and DNS that virtweb runs, or an
// existing host bridge it only refers to.
import { z } from 'zod';
import { InterfaceNameSchema, ManagedNetworkNameSchema } from './nics.ts';

/** A network's name: also part of its bridge, nftables table and DNS domain, hence short and plain. */
export const NetworkNameSchema = ManagedNetworkNameSchema;

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export const Ipv4Schema = z.string().regex(IPV4, 'an IPv4 address (a.b.c.d)');

/** An IPv4 subnet, `a.b.c.d/len`, /16 to /29, with no host bits set. */
export const SubnetSchema = z.string().refine((s) => {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined || addr === undefined || len === undefined || !IPV4.test(addr)) return false;
  return /^(1[6-9]|2\d)$/.test(len);
}, 'an IPv4 subnet a.b.c.d/len with a length from /16 to /29');

export const NetworkKindSchema = z.enum(['nat', 'isolated', 'bridge']);
export type NetworkKind = z.infer<typeof NetworkKindSchema>;

const PortSchema = z.number().int().min(1).max(65535);

/** A host port forwarded (nftables DNAT) to a guest's address and port on a NAT network. */
export const NetworkPortForwardSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  hostPort: PortSchema,
  guestAddress: Ipv4Schema,
  guestPort: PortSchema,
});
export type NetworkPortForward = z.infer<typeof NetworkPortForwardSchema>;

export const NetworkPortForwardsSchema = z.array(NetworkPortForwardSchema).max(64);

/** The DHCP pool (inclusive); by default the subnet's hosts after the gateway's first ten neighbours. */
export const DhcpRangeSchema = z.strictObject({ start: Ipv4Schema, end: Ipv4Schema });
export type DhcpRange = z.infer<typeof DhcpRangeSchema>;

const managed = {
  name: NetworkNameSchema,
  subnet: SubnetSchema,
  /** Generated (`vwbr-<name>`, shortened to 15) unless given; a given name must not exist yet. */
  bridge: InterfaceNameSchema.optional(),
  dhcpRange: DhcpRangeSchema.optional(),
  autostart: z.boolean().default(true),
};

export const CreateNetworkRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...managed, kind: z.literal('nat'), portForwards: NetworkPortForwardsSchema.default([]) }),
  z.strictObject({ ...managed, kind: z.literal('isolated') }),
  z.strictObject({
    name: NetworkNameSchema,
    kind: z.literal('bridge'),
    /** An existing host bridge: virtweb never creates or deletes it. */
    bridge: InterfaceNameSchema,
    autostart: z.boolean().default(true),
  }),
]);
export type CreateNetworkRequest = z.input<typeof CreateNetworkRequestSchema>;

export const UpdatePortForwardsRequestSchema = z.strictObject({ portForwards: NetworkPortForwardsSchema });
export type UpdatePortForwardsRequest = z.infer<typeof UpdatePortForwardsRequestSchema>;

/** `running`: bridge, table and dnsmasq up (for `bridge`: the host bridge exists); `stopped`: none of it. */
export const NetworkStateSchema = z.enum(['running', 'stopped']);
export type NetworkState = z.infer<typeof NetworkStateSchema>;

export const ManagedNetworkSchema = z.object({
  name: NetworkNameSchema,
  kind: NetworkKindSchema,
  state: NetworkStateSchema,
  bridge: z.string(),
  /** null for `bridge` networks: their addresses are the host LAN's business. */
  subnet: z.string().nullable(),
  gateway: z.string().nullable(),
  dhcpRange: DhcpRangeSchema.nullable(),
  autostart: z.boolean(),
  portForwards: z.array(NetworkPortForwardSchema),
  /** How many DHCP leases dnsmasq holds now. */
  leaseCount: z.number().int(),
  /** The names of the guests with a NIC on this network. */
  guests: z.array(z.string()),
  /** Why it is not running as it should (dnsmasq died, the host bridge is gone), if so. */
  problem: z.string().nullable(),
});
export type ManagedNetwork = z.infer<typeof ManagedNetworkSchema>;

/** A DHCP lease from dnsmasq's lease file. */
export const DhcpLeaseSchema = z.object({
  /** ISO time; null: an infinite lease. */
  expiresAt: z.string().nullable(),
  mac: z.string(),
  ip: z.string(),
  /** null when the client sent none (dnsmasq writes `*`). */
  hostname: z.string().nullable(),
});
export type DhcpLease = z.infer<typeof DhcpLeaseSchema>;

export const NetworkDetailSchema = ManagedNetworkSchema.extend({ leases: z.array(DhcpLeaseSchema) });
export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;

export const NetworkListSchema = z.object({
  networks: z.array(ManagedNetworkSchema),
  /** Whether this server may create bridges (root or CAP_NET_ADMIN); `reason` says why not. */
  canManage: z.boolean(),
  reason: z.string().nullable(),
});
export type NetworkList = z.infer<typeof NetworkListSchema>;
