// Bringing one network up and down on the host, and what of it runs now.
import fs from 'node:fs/promises';
import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';
import { deleteBridge, ensureBridge, interfaceExists, isBridge } from './bridge-link.ts';
import { NetworkFiles, runningDnsmasq, startDnsmasq, stopDnsmasq } from './dnsmasq.ts';
import { formatIpv4, gatewayOf, parseCidr } from './ipv4.ts';
import { isManaged, type ManagedDefinition, type NetworkDefinition } from './network-definition.ts';
import { deleteTable, loadRuleset, tableExists } from './nft-ruleset.ts';

/** What of a network is there now. */
export interface NetworkStatus {
  running: boolean;
  /** Some part up and some not (dnsmasq died, the table was flushed, the host bridge went). */
  problem: string | null;
  /** Any part of it present: bridge, table or dnsmasq. */
  anyPart: boolean;
}

export class NetworkRuntime {
  constructor(
    /** `<data>/networks`. */
    private readonly root: string,
    /** The user dnsmasq drops to (asked at each start or adoption: it may need its passage granted again). */
    private readonly dnsmasqUser: () => Promise<string>,
  ) {}

  files(name: string): NetworkFiles {
    return new NetworkFiles(`${this.root}/${name}`);
  }

  async status(def: NetworkDefinition): Promise<NetworkStatus> {
    if (!isManaged(def)) {
      const there = await isBridge(def.bridge);
      return {
        running: there,
        problem: there ? null : `the host bridge ${def.bridge} does not exist`,
        anyPart: there,
      };
    }
    const [bridge, table, pid] = await Promise.all([
      interfaceExists(def.bridge),
      tableExists(def.name),
      runningDnsmasq(def, this.files(def.name)),
    ]);
    const missing = [
      bridge ? null : `bridge ${def.bridge}`,
      table ? null : 'nftables table',
      pid !== undefined ? null : 'dnsmasq',
    ].filter((m): m is string => m !== null);
    const anyPart = missing.length < 3;
    return {
      running: missing.length === 0,
      problem: anyPart && missing.length > 0 ? `not running: ${missing.join(', ')} missing` : null,
      anyPart,
    };
  }

  /**
   * Brings up what is missing: bridge with the gateway address, rules, dnsmasq. A running dnsmasq is kept
   * (its leases and the guests' DHCP go on); the rules are reloaded (atomically). A `bridge` network only needs
   * its host bridge to exist.
   * @throws Conflict (dnsmasq's message, a missing host bridge), HostFault (ip, nft)
   */
  async up(def: NetworkDefinition): Promise<void> {
    if (!isManaged(def)) {
      if (!(await isBridge(def.bridge))) {
        throw new Conflict(ErrorCode.conflict, `the host bridge ${def.bridge} does not exist`);
      }
      return;
    }
    const cidr = parseCidr(def.subnet);
    await ensureBridge(def.bridge, formatIpv4(gatewayOf(cidr)), cidr.prefix);
    if (def.kind === 'nat') await enableForwarding();
    await loadRuleset(def);
    const files = this.files(def.name);
    const user = await this.dnsmasqUser();
    if ((await runningDnsmasq(def, files)) === undefined) {
      await fs.appendFile(files.hostsFile, '').catch(() => undefined);
      try {
        await startDnsmasq(def, files, user);
      } catch (err) {
        // Nothing half up stays behind a refusal.
        await this.down(def);
        throw err;
      }
    }
  }

  /** Stops dnsmasq, deletes the table and the bridge. A `bridge` network's host bridge is never touched. */
  async down(def: NetworkDefinition): Promise<void> {
    if (!isManaged(def)) return;
    await stopDnsmasq(def, this.files(def.name));
    await deleteTable(def.name);
    await deleteBridge(def.bridge);
  }

  /** Removes the network's files (its leases, hosts file, pid file). */
  async removeFiles(def: NetworkDefinition): Promise<void> {
    await fs.rm(this.files(def.name).dir, { recursive: true, force: true });
  }

  /** The DHCP leases file of a managed network. */
  leaseFile(def: ManagedDefinition): string {
    return this.files(def.name).leaseFile;
  }
}

/** NOTE: a NAT network routes for its guests, which needs IPv4 forwarding on (libvirt turns it on too). */
async function enableForwarding(): Promise<void> {
  const file = '/proc/sys/net/ipv4/ip_forward';
  const now = await fs.readFile(file, 'utf8').catch(() => '');
  if (now.trim() !== '1') await fs.writeFile(file, '1\n').catch(() => undefined);
}
