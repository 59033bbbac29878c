// A network as stored (table `networks`): what the user chose, with the generated bridge name and DHCP pool.
import { z } from 'zod';
import {
  DhcpRangeSchema,
  InterfaceNameSchema,
  NetworkNameSchema,
  NetworkPortForwardSchema,
} from '@virtweb/protocol';

const ManagedDefinitionSchema = z.object({
  name: NetworkNameSchema,
  kind: z.enum(['nat', 'isolated']),
  bridge: InterfaceNameSchema,
  subnet: z.string(),
  dhcpRange: DhcpRangeSchema,
  autostart: z.boolean(),
  /** Always empty for `isolated`. */
  portForwards: z.array(NetworkPortForwardSchema),
});

const BridgeDefinitionSchema = z.object({
  name: NetworkNameSchema,
  kind: z.literal('bridge'),
  bridge: InterfaceNameSchema,
  autostart: z.boolean(),
});

export const NetworkDefinitionSchema = z.discriminatedUnion('kind', [
  ManagedDefinitionSchema,
  BridgeDefinitionSchema,
]);
export type NetworkDefinition = z.infer<typeof NetworkDefinitionSchema>;
/** A network virtweb runs itself: bridge, nftables table and dnsmasq. */
export type ManagedDefinition = z.infer<typeof ManagedDefinitionSchema>;

export function isManaged(def: NetworkDefinition): def is ManagedDefinition {
  return def.kind !== 'bridge';
}

/** `vwbr-<name>`, cut to Linux's 15 characters (a name of up to 10 characters keeps it whole). */
export function generatedBridgeName(name: string): string {
  return `vwbr-${name}`.slice(0, 15);
}

/** The nftables table of a managed network: deleting it removes every rule the network had. */
export function nftTableName(name: string): string {
  return `virtweb-${name}`;
}

/** The DNS domain dnsmasq answers for the network's guests: `<guest>.<network>.virtweb`. */
export function dnsDomainOf(name: string): string {
  return `${name}.virtweb`;
}
