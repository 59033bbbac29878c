// Managed networks: their definitions (store), what runs on the host (runtime), and what guests need of them.
import {
  ErrorCode,
  type CreateNetworkRequest,
  type ManagedNetwork,
  type NetworkDetail,
  type NetworkList,
  type NetworkPortForward,
} from '@virtweb/protocol';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { NetworksRepo } from '../store/networks-repo.ts';
import { readLeases } from './dhcp-leases.ts';
import { writeHosts } from './dnsmasq.ts';
import type { HostSubnet } from './host-routes.ts';
import { formatIpv4, gatewayOf, parseCidr } from './ipv4.ts';
import { isManaged, type NetworkDefinition } from './network-definition.ts';
import type { ManagedNetworks } from '../host/managed-networks.ts';
import { hostEntriesOf, type GuestsOnNetwork } from './network-guests.ts';
import type { NetworkRuntime } from './network-runtime.ts';
import { checkForwards, definitionOf } from './network-validation.ts';

export interface NetworkServiceDeps {
  repo: NetworksRepo;
  runtime: Pick<NetworkRuntime, 'files' | 'leaseFile' | 'status' | 'up' | 'down' | 'removeFiles'>;
  /** Why this server cannot run networks (no CAP_NET_ADMIN), or null. */
  privilegeProblem: string | null;
  /** The host's subnets, leaving out the given (virtweb's own) bridges. */
  hostSubnets: (ignore: ReadonlySet<string>) => Promise<HostSubnet[]>;
  log?: (line: string) => void;
  /** Tells the browsers a network changed (`networks.changed` on /api/events). */
  changed?: (name: string) => void;
}

export class NetworkService implements ManagedNetworks {
  /** Every change runs one after the other: the clash checks see the networks as they are. */
  private queue: Promise<unknown> = Promise.resolve();
  private guestsOn: GuestsOnNetwork = () => [];

  constructor(private readonly deps: NetworkServiceDeps) {}

  /** Tells the service where to find the guests on a network (the VM store; until then: none). */
  setGuestLookup(lookup: GuestsOnNetwork): void {
    this.guestsOn = lookup;
  }

  async list(): Promise<NetworkList> {
    const networks = await Promise.all(this.deps.repo.list().map((d) => this.describe(d)));
    const reason = this.deps.privilegeProblem;
    return { networks, canManage: reason === null, reason };
  }

  /** @throws NotFound */
  async get(name: string): Promise<NetworkDetail> {
    const def = this.definition(name);
    const leases = isManaged(def) ? await readLeases(this.deps.runtime.leaseFile(def)) : [];
    return { ...(await this.describe(def)), leases };
  }

  async bridgeOf(name: string): Promise<string> {
    const def = this.deps.repo.get(name);
    if (!def) throw new Conflict(ErrorCode.conflict, `there is no network named ${name}`);
    const status = await this.deps.runtime.status(def);
    if (!status.running) {
      throw new Conflict(ErrorCode.wrongState, `network ${name} is not running: start it first`);
    }
    return def.bridge;
  }

  /** Creates the network and brings it up. @throws Invalid, Conflict (dnsmasq's own message among them) */
  create(req: CreateNetworkRequest): Promise<ManagedNetwork> {
    return this.serial(async () => {
      if (req.kind !== 'bridge') this.requirePrivilege();
      const others = this.deps.repo.list();
      const ours = new Set(others.map((n) => n.bridge));
      const def = await definitionOf({ ...req, autostart: req.autostart ?? true }, others, () =>
        this.deps.hostSubnets(ours),
      );
      await this.deps.runtime.up(def);
      this.deps.repo.insert(def);
      await this.writeHosts(def);
      this.deps.changed?.(def.name);
      return this.describe(def);
    });
  }

  /** Tears the network down and forgets it. @throws NotFound; Conflict `in_use` naming its guests */
  delete(name: string): Promise<void> {
    return this.serial(async () => {
      const def = this.definition(name);
      const guests = this.guestsOn(name).map((g) => g.name);
      if (guests.length > 0) {
        throw new Conflict(ErrorCode.inUse, `network ${name} is used by ${guests.join(', ')}`);
      }
      await this.deps.runtime.down(def);
      await this.deps.runtime.removeFiles(def);
      this.deps.repo.delete(name);
      this.deps.changed?.(name);
    });
  }

  start(name: string): Promise<ManagedNetwork> {
    return this.serial(async () => {
      const def = this.definition(name);
      if (isManaged(def)) this.requirePrivilege();
      await this.deps.runtime.up(def);
      await this.writeHosts(def);
      this.deps.changed?.(name);
      return this.describe(def);
    });
  }

  /** @throws Conflict `in_use` while a guest on it runs (its tap would lose the bridge) */
  stop(name: string): Promise<ManagedNetwork> {
    return this.serial(async () => {
      const def = this.definition(name);
      if (!isManaged(def)) {
        throw new Conflict(
          ErrorCode.wrongState,
          `network ${name} is the host's bridge ${def.bridge}: virtweb does not stop it`,
        );
      }
      const running = this.guestsOn(name)
        .filter((g) => g.running)
        .map((g) => g.name);
      if (running.length > 0) {
        throw new Conflict(ErrorCode.inUse, `network ${name} has running guests: ${running.join(', ')}`);
      }
      await this.deps.runtime.down(def);
      this.deps.changed?.(name);
      return this.describe(def);
    });
  }

  /** Replaces a NAT network's port forwards, reloading its rules when it runs. */
  setPortForwards(name: string, forwards: readonly NetworkPortForward[]): Promise<ManagedNetwork> {
    return this.serial(async () => {
      const def = this.definition(name);
      if (!isManaged(def)) {
        throw new Conflict(ErrorCode.conflict, `network ${name} is a host bridge: it forwards no ports`);
      }
      const next = { ...def, portForwards: checkForwards(def, forwards, this.deps.repo.list()) };
      if ((await this.deps.runtime.status(def)).anyPart) await this.deps.runtime.up(next);
      this.deps.repo.update(next);
      this.deps.changed?.(name);
      return this.describe(next);
    });
  }

  /** The guests on networks changed (a NIC, a name, a guest gone): their fixed DHCP names are written again. */
  guestsChanged(): Promise<void> {
    return this.serial(async () => {
      for (const def of this.deps.repo.list()) await this.writeHosts(def);
    });
  }

  /**
   * At server start: networks found (partly) up are adopted, their missing parts recreated (a running dnsmasq
   * is kept); autostart networks come up. Failures are logged, never thrown: the server starts anyway.
   */
  atServerStart(): Promise<void> {
    return this.serial(async () => {
      for (const def of this.deps.repo.list()) {
        const status = await this.deps.runtime.status(def).catch(() => undefined);
        if (!status || status.running || (!status.anyPart && !def.autostart)) continue;
        if (isManaged(def) && this.deps.privilegeProblem !== null) continue;
        try {
          await this.deps.runtime.up(def);
        } catch (err) {
          this.deps.log?.(`virtweb: network ${def.name} did not come up: ${(err as Error).message}`);
        }
      }
      for (const def of this.deps.repo.list()) await this.writeHosts(def).catch(() => undefined);
    });
  }

  /**
   * The `default` NAT network (libvirt's): the first /24 of 192.168.122–131 clear of the host's subnets.
   * @returns its name, or why there is none
   */
  async createDefault(): Promise<string> {
    if (this.deps.privilegeProblem !== null) return this.deps.privilegeProblem;
    const host = await this.deps.hostSubnets(new Set(this.deps.repo.list().map((n) => n.bridge)));
    for (let third = 122; third < 132; third++) {
      const subnet = `192.168.${third}.0/24`;
      const cidr = parseCidr(subnet);
      const clear = host.every((h) => h.cidr.broadcast < cidr.network || h.cidr.network > cidr.broadcast);
      if (!clear) continue;
      try {
        await this.create({ name: 'default', kind: 'nat', subnet, autostart: true });
        return 'default';
      } catch (err) {
        return `the default network could not be created: ${(err as Error).message}`;
      }
    }
    return 'the default network was not created: 192.168.122.0/24 to 192.168.131.0/24 all clash with the host';
  }

  private async describe(def: NetworkDefinition): Promise<ManagedNetwork> {
    const status = await this.deps.runtime.status(def);
    const managed = isManaged(def);
    const leases = managed ? await readLeases(this.deps.runtime.leaseFile(def)) : [];
    return {
      name: def.name,
      kind: def.kind,
      state: status.running ? 'running' : 'stopped',
      bridge: def.bridge,
      subnet: managed ? def.subnet : null,
      gateway: managed ? formatIpv4(gatewayOf(parseCidr(def.subnet))) : null,
      dhcpRange: managed ? def.dhcpRange : null,
      autostart: def.autostart,
      portForwards: managed ? def.portForwards : [],
      leaseCount: leases.length,
      guests: this.guestsOn(def.name).map((g) => g.name),
      problem: status.problem,
    };
  }

  /** The DHCP lease files of the networks virtweb runs dnsmasq for. */
  leaseFiles(): string[] {
    return this.deps.repo.list().flatMap((def) => (isManaged(def) ? [this.deps.runtime.leaseFile(def)] : []));
  }

  private async writeHosts(def: NetworkDefinition): Promise<void> {
    if (!isManaged(def)) return;
    await writeHosts(def, this.deps.runtime.files(def.name), hostEntriesOf(this.guestsOn(def.name)));
  }

  private definition(name: string): NetworkDefinition {
    const def = this.deps.repo.get(name);
    if (!def) throw new NotFound(`network ${name}`);
    return def;
  }

  private requirePrivilege(): void {
    const problem = this.deps.privilegeProblem;
    if (problem !== null) throw new Conflict(ErrorCode.conflict, problem);
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
