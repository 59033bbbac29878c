// What a new network or a change of port forwards must satisfy beyond its schema: a subnet clear of the
// host's and of the other networks', a bridge name not in use, forwards inside the subnet and unique.
import { ErrorCode, type CreateNetworkRequest, type NetworkPortForward } from '@virtweb/protocol';
import { Conflict, Invalid } from '../domain/errors.ts';
import { interfaceExists, isBridge } from './bridge-link.ts';
import type { HostSubnet } from './host-routes.ts';
import { defaultDhcpRange, formatCidr, gatewayOf, isHostOf, overlaps, parseCidr, parseIpv4 } from './ipv4.ts';
import {
  generatedBridgeName,
  isManaged,
  type ManagedDefinition,
  type NetworkDefinition,
} from './network-definition.ts';

type Request = CreateNetworkRequest & { autostart: boolean };

const field = (path: string, message: string) => new Invalid(message, [{ path, message }]);

/**
 * The definition of a new network from its (schema-checked) request.
 * @throws Invalid for a malformed subnet, DHCP range or forward; Conflict for a name, bridge or subnet in use
 */
export async function definitionOf(
  req: Request,
  others: readonly NetworkDefinition[],
  host: () => Promise<HostSubnet[]>,
): Promise<NetworkDefinition> {
  if (others.some((n) => n.name === req.name)) {
    throw new Conflict(ErrorCode.exists, `a network named ${req.name} already exists`);
  }
  if (req.kind === 'bridge') {
    if (!(await isBridge(req.bridge))) {
      throw new Conflict(ErrorCode.conflict, `${req.bridge} is not an existing bridge on this host`, [
        { path: 'bridge', message: 'no such bridge' },
      ]);
    }
    return { name: req.name, kind: 'bridge', bridge: req.bridge, autostart: req.autostart };
  }
  const bridge = req.bridge ?? generatedBridgeName(req.name);
  if (others.some((n) => n.bridge === bridge) || (await interfaceExists(bridge))) {
    throw new Conflict(ErrorCode.exists, `an interface named ${bridge} already exists on this host`, [
      { path: 'bridge', message: 'in use' },
    ]);
  }
  let cidr;
  try {
    cidr = parseCidr(req.subnet);
  } catch (err) {
    throw field('subnet', (err as Error).message);
  }
  for (const n of others) {
    if (isManaged(n) && overlaps(cidr, parseCidr(n.subnet))) {
      throw new Conflict(
        ErrorCode.conflict,
        `subnet ${req.subnet} overlaps network ${n.name}'s ${n.subnet}`,
        [{ path: 'subnet', message: `overlaps network ${n.name}` }],
      );
    }
  }
  const clash = (await host()).find((h) => overlaps(cidr, h.cidr));
  if (clash) {
    throw new Conflict(ErrorCode.conflict, `subnet ${req.subnet} overlaps the host's ${clash.what}`, [
      { path: 'subnet', message: `overlaps the host's ${clash.what}` },
    ]);
  }
  const dhcpRange = req.dhcpRange ?? defaultDhcpRange(cidr);
  const start = parseIpv4(dhcpRange.start);
  const end = parseIpv4(dhcpRange.end);
  const gateway = gatewayOf(cidr);
  if (!isHostOf(cidr, start) || !isHostOf(cidr, end) || start > end || (gateway >= start && gateway <= end)) {
    throw field(
      'dhcpRange',
      `the DHCP range must be hosts of ${formatCidr(cidr)}, start before end, without the gateway`,
    );
  }
  const def: ManagedDefinition = {
    name: req.name,
    kind: req.kind,
    bridge,
    subnet: formatCidr(cidr),
    dhcpRange,
    autostart: req.autostart,
    portForwards: [],
  };
  if (req.kind === 'nat') def.portForwards = checkForwards(def, req.portForwards ?? [], others);
  return def;
}

/**
 * Port forwards for `def`: each to a guest address of its subnet (not the gateway), each host port (per
 * protocol) once across every network. @throws Invalid, Conflict naming the forward
 */
export function checkForwards(
  def: ManagedDefinition,
  forwards: readonly NetworkPortForward[],
  others: readonly NetworkDefinition[],
): NetworkPortForward[] {
  if (def.kind !== 'nat' && forwards.length > 0) {
    throw field('portForwards', 'only a NAT network forwards ports');
  }
  const cidr = parseCidr(def.subnet);
  const taken = new Map<string, string>();
  for (const n of others) {
    if (n.name === def.name || !isManaged(n)) continue;
    for (const f of n.portForwards) taken.set(`${f.protocol}/${f.hostPort}`, n.name);
  }
  forwards.forEach((f, i) => {
    const ip = parseIpv4(f.guestAddress);
    if (!isHostOf(cidr, ip) || ip === gatewayOf(cidr)) {
      throw field(
        `portForwards.${i}.guestAddress`,
        `${f.guestAddress} is not a guest address of ${def.subnet}`,
      );
    }
    const key = `${f.protocol}/${f.hostPort}`;
    const owner = taken.get(key);
    if (owner !== undefined) {
      const where = owner === def.name ? 'another forward of this network' : `network ${owner}`;
      throw new Conflict(ErrorCode.conflict, `host port ${key} is already forwarded by ${where}`, [
        { path: `portForwards.${i}.hostPort`, message: 'already forwarded' },
      ]);
    }
    taken.set(key, def.name);
  });
  return [...forwards];
}
