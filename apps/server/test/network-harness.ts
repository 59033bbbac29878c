// Managed networks in tests: create one through the API, a DHCP client in a network namespace of the test's
// own on a network's bridge, and checks that nothing of a network is left on the host.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CreateNetworkRequest, ManagedNetwork } from '@virtweb/protocol';
import type { TestServer } from './harness.ts';

/** A short random tag for names that must not clash with anything on the host (`t3fa9`). */
export function testTag(): string {
  return `t${crypto.randomBytes(2).toString('hex')}`;
}

/** A /24 in 10.200.0.0/13 that no route or address of the host overlaps. */
export function freeSubnet(): string {
  const used = run('ip', ['-4', 'route', 'show', 'table', 'all']) + run('ip', ['-4', 'addr']);
  for (;;) {
    const subnet = `10.${200 + crypto.randomInt(8)}.${crypto.randomInt(256)}`;
    if (!used.includes(`${subnet}.`)) return `${subnet}.0/24`;
  }
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Creates a network through the API. @throws when the server refuses */
export async function createNetwork(server: TestServer, req: CreateNetworkRequest): Promise<ManagedNetwork> {
  const res = await server.api('POST', '/api/networks', req);
  if (res.status !== 201)
    throw new Error(`create network ${req.name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ManagedNetwork;
}

/** What of a managed network is on the host: its bridge, nftables table, dnsmasq (by its pid file). */
export function hostPartsOf(
  server: TestServer,
  name: string,
  bridge: string,
): { bridge: boolean; table: boolean; dnsmasqPid: number | undefined } {
  const pidFile = path.join(server.dataDir, 'networks', name, 'dnsmasq.pid');
  const pid = Number.parseInt(readOr(pidFile, ''), 10);
  return {
    bridge: fs.existsSync(`/sys/class/net/${bridge}`),
    table: tableText(name) !== undefined,
    dnsmasqPid: Number.isInteger(pid) && dnsmasqRuns(pid, bridge) ? pid : undefined,
  };
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Whether a dnsmasq serving `bridge` runs as `pid`. */
export function dnsmasqRuns(pid: number, bridge: string): boolean {
  const cmdline = readOr(`/proc/${pid}/cmdline`, '');
  return cmdline.includes('dnsmasq') && cmdline.includes(`--interface=${bridge}\0`);
}

/** Any dnsmasq process on the host serving `bridge` (whatever its pid file says). */
export function dnsmasqPidsOn(bridge: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => dnsmasqRuns(pid, bridge));
}

/** `nft list table ip virtweb-<name>`, or undefined when there is none. */
export function tableText(name: string): string | undefined {
  try {
    return run('nft', ['list', 'table', 'ip', `virtweb-${name}`]);
  } catch {
    return undefined;
  }
}

/** Removes whatever of these networks a failed test left on the host (processes, table, bridge). */
export function scrubNetworks(networks: readonly { name: string; bridge: string }[]): void {
  for (const n of networks) {
    for (const pid of dnsmasqPidsOn(n.bridge)) process.kill(pid, 'SIGKILL');
    if (tableText(n.name) !== undefined) run('nft', ['delete', 'table', 'ip', `virtweb-${n.name}`]);
    if (fs.existsSync(`/sys/class/net/${n.bridge}`)) run('ip', ['link', 'delete', 'dev', n.bridge]);
  }
}

/** What busybox udhcpc was told: the lease's address, router, DNS server and domain. */
export interface DhcpResult {
  ip: string;
  router: string;
  dns: string;
  domain: string;
}

/**
 * A "machine" on a bridge: a network namespace `vwtest-<tag>` with one end of a veth pair in it, the other end
 * on the bridge. `dhcp()` runs busybox's udhcpc in it (which configures the address and default route).
 */
export class NetnsClient {
  readonly ns: string;
  readonly hostEnd: string;
  readonly inside: string;
  private readonly dir: string;

  constructor(
    readonly bridge: string,
    tag = testTag(),
  ) {
    this.ns = `vwtest-${tag}`;
    this.hostEnd = `vwt${tag}h`;
    this.inside = `vwt${tag}c`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwtest-dhcp-'));
  }

  up(): this {
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['link', 'add', this.hostEnd, 'type', 'veth', 'peer', 'name', this.inside]);
    run('ip', ['link', 'set', this.inside, 'netns', this.ns]);
    run('ip', ['link', 'set', this.hostEnd, 'master', this.bridge, 'up']);
    this.exec(['ip', 'link', 'set', 'lo', 'up']);
    this.exec(['ip', 'link', 'set', this.inside, 'up']);
    return this;
  }

  /** The MAC of the namespace's end (what dnsmasq leases to). */
  mac(): string {
    return this.exec(['cat', `/sys/class/net/${this.inside}/address`]).trim();
  }

  exec(argv: string[]): string {
    return run('ip', ['netns', 'exec', this.ns, ...argv]);
  }

  /** One DHCP exchange (udhcpc, sending `hostname`); throws when no lease comes within ~10 s. */
  dhcp(hostname: string): DhcpResult {
    const out = path.join(this.dir, 'lease.env');
    const script = path.join(this.dir, 'udhcpc.sh');
    fs.writeFileSync(
      script,
      [
        '#!/bin/sh',
        '[ "$1" = bound ] || exit 0',
        'ip addr add "$ip/$mask" dev "$interface"',
        '[ -n "$router" ] && ip route add default via "$router"',
        `printf 'ip=%s\\nrouter=%s\\ndns=%s\\ndomain=%s\\n' "$ip" "$router" "$dns" "$domain" > ${out}`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    this.exec([
      'busybox',
      'udhcpc',
      '-i',
      this.inside,
      '-n',
      '-q',
      '-f',
      '-t',
      '5',
      '-T',
      '2',
      '-s',
      script,
      '-x',
      `hostname:${hostname}`,
    ]);
    const env = Object.fromEntries(
      fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    return { ip: env.ip ?? '', router: env.router ?? '', dns: env.dns ?? '', domain: env.domain ?? '' };
  }

  /** Removes the namespace and the veth pair. Never throws. */
  down(): void {
    try {
      run('ip', ['netns', 'delete', this.ns]);
    } catch {
      // not made
    }
    try {
      run('ip', ['link', 'delete', this.hostEnd]);
    } catch {
      // gone with the namespace
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * "The outside": a namespace routed from the host over a veth pair with a /30 of its own (the host end .1, the
 * namespace .2) and no route beyond it, so it can answer only the host's own address there: a guest reaching
 * it proves forwarding with masquerade.
 */
export class OutsideNamespace {
  readonly ns: string;
  readonly hostEnd: string;
  readonly hostIp: string;
  readonly ip: string;

  constructor(tag = testTag()) {
    this.ns = `vwtest-${tag}-out`;
    this.hostEnd = `vwt${tag}o`;
    const base = freeSubnet().replace(/\.0\/24$/, '');
    this.hostIp = `${base}.1`;
    this.ip = `${base}.2`;
  }

  up(): this {
    const inside = `${this.hostEnd}i`;
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['link', 'add', this.hostEnd, 'type', 'veth', 'peer', 'name', inside]);
    run('ip', ['link', 'set', inside, 'netns', this.ns]);
    run('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostEnd]);
    run('ip', ['link', 'set', this.hostEnd, 'up']);
    run('ip', ['netns', 'exec', this.ns, 'ip', 'addr', 'add', `${this.ip}/30`, 'dev', inside]);
    run('ip', ['netns', 'exec', this.ns, 'ip', 'link', 'set', inside, 'up']);
    return this;
  }

  /** A route back to `subnet` through the host: its answers reach that subnet without masquerade. */
  routeBackTo(subnet: string): void {
    run('ip', ['netns', 'exec', this.ns, 'ip', 'route', 'add', subnet, 'via', this.hostIp]);
  }

  /** Removes the namespace (and with it the veth pair). Never throws. */
  down(): void {
    try {
      run('ip', ['netns', 'delete', this.ns]);
    } catch {
      // not made
    }
  }
}
