// Managed networks on the real host (as root): bridges, nftables, dnsmasq and a DHCP client in a namespace of
// the test's own. Every name carries a random tag; whatever a failed test leaves is scrubbed afterwards.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ManagedNetwork, NetworkDetail, NetworkList } from '@virtweb/protocol';
import { NetworkFiles, writeHosts } from '../src/networks/dnsmasq.ts';
import { hostEntriesOf } from '../src/networks/network-guests.ts';
import { apiError } from './harness.ts';
import {
  createNetwork,
  dnsmasqPidsOn,
  freeSubnet,
  hostPartsOf,
  NetnsClient,
  OutsideNamespace,
  run,
  scrubNetworks,
  tableText,
  testTag,
} from './network-harness.ts';
import { useServer } from './server-fixture.ts';

const server = useServer();
const tag = testTag();
const nat = { name: `${tag}-nat`, bridge: `vwbr-${tag}-nat` };
const iso = { name: `${tag}-iso`, bridge: `vwbr-${tag}-iso` };
const failing = { name: `${tag}-bad`, bridge: `vwbr-${tag}-bad` };
const natSubnet = freeSubnet();
const clients: NetnsClient[] = [];

afterAll(() => {
  for (const c of clients) c.down();
  scrubNetworks([nat, iso, failing]);
});

/** The host's own non-loopback IPv4 address (not one of a bridge): what a port forward is reached at. */
function hostAddress(): string {
  const rows = JSON.parse(run('ip', ['-j', '-4', 'addr'])) as {
    ifname: string;
    addr_info: { local: string; scope: string }[];
  }[];
  const row = rows.find((r) => r.ifname !== 'lo' && !r.ifname.startsWith('vwbr-') && r.addr_info.length > 0);
  const address = row?.addr_info.find((a) => a.scope === 'global')?.local;
  if (address === undefined) throw new Error('the host has no global IPv4 address');
  return address;
}

describe('managed networks', () => {
  let natClient: NetnsClient;
  let isoClient: NetnsClient;
  let lease = { ip: '', router: '', dns: '', domain: '' };

  it("answers dnsmasq's own message when it cannot start, and leaves nothing behind", async () => {
    // NOTE: a socket on 0.0.0.0:53 without SO_REUSEADDR keeps dnsmasq from binding the gateway's port 53 (first:
    // once a network of this file runs, its dnsmasq holds a gateway's port 53 and the wildcard cannot be bound).
    const blocker = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.bind(53, '0.0.0.0', resolve);
    });
    try {
      const res = await server.api('POST', '/api/networks', {
        name: failing.name,
        kind: 'isolated',
        subnet: freeSubnet(),
      });
      expect(res.status).toBe(409);
      expect(apiError(res.body).code).toBe('dnsmasq_failed');
      expect(apiError(res.body).message).toMatch(
        /dnsmasq did not start .*(Address already in use|address in use)/i,
      );
    } finally {
      blocker.close();
    }
    expect(hostPartsOf(server, failing.name, failing.bridge)).toEqual({
      bridge: false,
      table: false,
      dnsmasqPid: undefined,
    });
    expect((await server.api('GET', `/api/networks/${failing.name}`)).status).toBe(404);
  });

  it('creates a NAT network: bridge with the gateway, nftables masquerade, dnsmasq answering DHCP and DNS', async () => {
    const created = await createNetwork(server, { name: nat.name, kind: 'nat', subnet: natSubnet });
    expect(created).toMatchObject({ state: 'running', kind: 'nat', bridge: nat.bridge, problem: null });
    const gateway = natSubnet.replace(/0\/24$/, '1');
    expect(created.gateway).toBe(gateway);
    expect(run('ip', ['-4', 'addr', 'show', 'dev', nat.bridge])).toContain(`inet ${gateway}/24`);
    const parts = hostPartsOf(server, nat.name, nat.bridge);
    expect(parts.bridge && parts.table).toBe(true);
    expect(parts.dnsmasqPid).toBeDefined();
    expect(tableText(nat.name)).toMatch(
      new RegExp(`ip saddr ${natSubnet.replace(/\./g, '\\.')} .*masquerade`),
    );

    natClient = new NetnsClient(nat.bridge).up();
    clients.push(natClient);
    lease = natClient.dhcp('natclient');
    expect(lease.router).toBe(gateway);
    expect(lease.dns).toBe(gateway);
    expect(lease.domain).toBe(`${nat.name}.virtweb`);
    const detail = (await server.api('GET', `/api/networks/${nat.name}`)).body as NetworkDetail;
    expect(detail.leases).toContainEqual(
      expect.objectContaining({ ip: lease.ip, mac: natClient.mac(), hostname: 'natclient' }),
    );
    expect(detail.leaseCount).toBe(1);
    // dnsmasq answers the client's name under the network's domain.
    const answer = natClient.exec(['busybox', 'nslookup', `natclient.${nat.name}.virtweb`, gateway]);
    expect(answer).toContain(lease.ip);
  });

  it("gives a guest's MAC its fixed name from the hosts file, read again on SIGHUP", async () => {
    const detail = (await server.api('GET', `/api/networks/${nat.name}`)).body as NetworkDetail;
    const def = {
      ...detail,
      kind: 'nat' as const,
      subnet: natSubnet,
      dhcpRange: detail.dhcpRange ?? { start: '', end: '' },
    };
    const files = new NetworkFiles(`${server.dataDir}/networks/${nat.name}`);
    await writeHosts(
      def,
      files,
      hostEntriesOf([{ name: 'Fixed Name', macs: [natClient.mac()], running: true }]),
    );
    // A renewal with another hostname: dnsmasq names the client by its hosts file entry instead.
    natClient.exec(['ip', 'addr', 'flush', 'dev', natClient.inside]);
    lease = natClient.dhcp('other');
    const answer = natClient.exec(['busybox', 'nslookup', `fixed-name.${nat.name}.virtweb`, lease.router]);
    expect(answer).toContain(lease.ip);
  });

  it('forwards a host port to a guest address (DNAT), also for connections from the host itself', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 10000);
    const www = fs.mkdtempSync('/tmp/vwtest-www-');
    fs.writeFileSync(`${www}/index.html`, `hello from ${tag}\n`);
    natClient.exec(['busybox', 'httpd', '-p', '8080', '-h', www]);
    const res = await server.api('PUT', `/api/networks/${nat.name}/port-forwards`, {
      portForwards: [{ protocol: 'tcp', hostPort, guestAddress: lease.ip, guestPort: 8080 }],
    });
    expect(res.status).toBe(200);
    expect((res.body as ManagedNetwork).portForwards).toHaveLength(1);
    expect(tableText(nat.name)).toContain(`dnat to ${lease.ip}:8080`);
    const page = await fetch(`http://${hostAddress()}:${hostPort}/`);
    expect(await page.text()).toBe(`hello from ${tag}\n`);
    fs.rmSync(www, { recursive: true, force: true });
  });

  it('refuses a port forward outside the subnet and a host port forwarded twice', async () => {
    const outside = await server.api('PUT', `/api/networks/${nat.name}/port-forwards`, {
      portForwards: [{ protocol: 'tcp', hostPort: 2222, guestAddress: '192.0.2.99', guestPort: 22 }],
    });
    expect(outside.status).toBe(400);
    expect(apiError(outside.body).details?.[0]?.path).toBe('portForwards.0.guestAddress');
    const twice = await server.api('PUT', `/api/networks/${nat.name}/port-forwards`, {
      portForwards: [
        { protocol: 'tcp', hostPort: 2222, guestAddress: lease.ip, guestPort: 22 },
        { protocol: 'tcp', hostPort: 2222, guestAddress: lease.ip, guestPort: 23 },
      ],
    });
    expect(twice.status).toBe(409);
  });

  it('makes an isolated network: DHCP without a router, nothing forwarded from or to its bridge', async () => {
    const created = await createNetwork(server, { name: iso.name, kind: 'isolated', subnet: freeSubnet() });
    expect(created.state).toBe('running');
    const table = tableText(iso.name) ?? '';
    expect(table).toContain(`iifname "${iso.bridge}" drop`);
    expect(table).toContain(`oifname "${iso.bridge}" drop`);
    expect(table).not.toContain('masquerade');
    const client = new NetnsClient(iso.bridge).up();
    clients.push(client);
    const isoLease = client.dhcp('isoclient');
    expect(isoLease.ip).not.toBe('');
    expect(isoLease.router).toBe('');
    isoClient = client;
  });

  it('a NAT guest reaches beyond the host (masqueraded); an isolated one does not, even with a route', () => {
    const outside = new OutsideNamespace().up();
    try {
      // The outside has no route to the NAT subnet: only a masqueraded ping gets its answer back.
      expect(natClient.exec(['busybox', 'ping', '-c', '1', '-W', '3', outside.ip])).toContain(
        '1 packets received',
      );
      const isoGateway =
        run('ip', ['-4', '-o', 'addr', 'show', 'dev', iso.bridge]).split(/\s+/)[3]?.split('/')[0] ?? '';
      isoClient.exec(['ip', 'route', 'add', 'default', 'via', isoGateway]);
      // Answers could come back (the outside routes to the isolated subnet): only the drop stops the ping.
      outside.routeBackTo(`${isoGateway.replace(/\.1$/, '.0')}/24`);
      expect(() => isoClient.exec(['busybox', 'ping', '-c', '1', '-W', '3', outside.ip])).toThrow();
    } finally {
      outside.down();
    }
  });

  it('refuses clashing and malformed subnets, names and bridges in use', async () => {
    const post = (body: unknown) => server.api('POST', '/api/networks', body);
    const hostClash = await post({
      name: `${tag}-x`,
      kind: 'nat',
      subnet: `${hostAddress().replace(/\.\d+$/, '.0')}/24`,
    });
    expect(hostClash.status).toBe(409);
    expect(apiError(hostClash.body).message).toMatch(/overlaps the host's/);
    const netClash = await post({
      name: `${tag}-x`,
      kind: 'nat',
      subnet: natSubnet
        .replace(/\/24$/, '/23')
        .replace(/\.(\d+)\.0\//, (_m, n: string) => `.${Number(n) - (Number(n) % 2)}.0/`),
    });
    expect(netClash.status).toBe(409);
    // The /23 may also cover the isolated network made just after the NAT one (subnets are handed out in turn).
    expect(apiError(netClash.body).message).toMatch(new RegExp(`network (${nat.name}|${iso.name})'s`));
    for (const subnet of ['10.250.0.1/24', '10.250.0.0/30', '10.0.0.0/8', '10.250.0/24', 'x']) {
      expect((await post({ name: `${tag}-x`, kind: 'isolated', subnet })).status, subnet).toBe(400);
    }
    const name = await post({ name: nat.name, kind: 'isolated', subnet: freeSubnet() });
    expect(name.status).toBe(409);
    const bridge = await post({ name: `${tag}-x`, kind: 'isolated', subnet: freeSubnet(), bridge: 'lo' });
    expect(bridge.status).toBe(409);
    expect(apiError(bridge.body).message).toContain('lo already exists');
    const noBridge = await post({ name: `${tag}-x`, kind: 'bridge', bridge: `${tag}nobr` });
    expect(noBridge.status).toBe(409);
    const list = (await server.api('GET', '/api/networks')).body as NetworkList;
    expect(list.networks.map((n) => n.name)).not.toContain(`${tag}-x`);
    expect(list.canManage).toBe(true);
  });

  it('refers to an existing host bridge without ever changing or deleting it', async () => {
    const hostBridge = `vwt${tag}br`;
    run('ip', ['link', 'add', 'name', hostBridge, 'type', 'bridge']);
    try {
      const created = await createNetwork(server, { name: `${tag}-br`, kind: 'bridge', bridge: hostBridge });
      expect(created).toMatchObject({ state: 'running', kind: 'bridge', bridge: hostBridge, subnet: null });
      expect(tableText(`${tag}-br`)).toBeUndefined();
      expect(dnsmasqPidsOn(hostBridge)).toEqual([]);
      expect((await server.api('POST', `/api/networks/${tag}-br/stop`)).status).toBe(409);
      expect((await server.api('DELETE', `/api/networks/${tag}-br`)).status).toBe(204);
      expect(fs.existsSync(`/sys/class/net/${hostBridge}`)).toBe(true);
    } finally {
      run('ip', ['link', 'delete', 'dev', hostBridge]);
    }
  });

  it('re-adopts running networks after the server is killed: the same dnsmasq, missing parts recreated', async () => {
    const before = hostPartsOf(server, nat.name, nat.bridge).dnsmasqPid;
    expect(before).toBeDefined();
    await server.restart('kill9');
    expect(hostPartsOf(server, nat.name, nat.bridge).dnsmasqPid).toBe(before);
    // A table flushed behind the server's back comes back at the next start; dnsmasq is still not restarted.
    run('nft', ['delete', 'table', 'ip', `virtweb-${iso.name}`]);
    const isoPid = hostPartsOf(server, iso.name, iso.bridge).dnsmasqPid;
    await server.restart('kill9');
    expect(tableText(iso.name)).toBeDefined();
    expect(hostPartsOf(server, iso.name, iso.bridge).dnsmasqPid).toBe(isoPid);
    const list = (await server.api('GET', '/api/networks')).body as NetworkList;
    expect(list.networks.find((n) => n.name === nat.name)?.state).toBe('running');
  });

  it('stops, starts and deletes: no bridge, table, dnsmasq or files left', async () => {
    const stopped = await server.api('POST', `/api/networks/${iso.name}/stop`);
    expect((stopped.body as ManagedNetwork).state).toBe('stopped');
    expect(hostPartsOf(server, iso.name, iso.bridge).bridge).toBe(false);
    const started = await server.api('POST', `/api/networks/${iso.name}/start`);
    expect((started.body as ManagedNetwork).state).toBe('running');
    for (const n of [nat, iso]) {
      expect((await server.api('DELETE', `/api/networks/${n.name}`)).status).toBe(204);
      expect(hostPartsOf(server, n.name, n.bridge)).toEqual({
        bridge: false,
        table: false,
        dnsmasqPid: undefined,
      });
      expect(dnsmasqPidsOn(n.bridge)).toEqual([]);
      expect(fs.existsSync(`${server.dataDir}/networks/${n.name}`)).toBe(false);
    }
    expect((await server.api('GET', '/api/networks')).body).toMatchObject({ networks: [] });
    const tasks = (await server.api('GET', '/api/tasks?limit=100')).body as {
      tasks: { op: string; target?: string }[];
    };
    expect(tasks.tasks).toContainEqual(expect.objectContaining({ op: 'network.create', target: nat.name }));
    expect(tasks.tasks).toContainEqual(expect.objectContaining({ op: 'network.delete', target: iso.name }));
  });
});

describe('the default network', () => {
  const withDefault = useServer({ env: { VIRTWEB_DEFAULT_NETWORK: 'on' } });
  const made = { name: 'default', bridge: 'vwbr-default' };

  afterAll(() => {
    scrubNetworks([made]);
  });

  it('is made once on the first start when the server may make bridges, not again once deleted', async () => {
    const list = (await withDefault.api('GET', '/api/networks')).body as NetworkList;
    const def = list.networks.find((n) => n.name === 'default');
    expect(def).toMatchObject({ kind: 'nat', state: 'running', bridge: made.bridge, autostart: true });
    expect(def?.subnet).toMatch(/^192\.168\.(12[2-9]|13[01])\.0\/24$/);
    expect((await withDefault.api('DELETE', '/api/networks/default')).status).toBe(204);
    await withDefault.restart('kill9');
    const after = (await withDefault.api('GET', '/api/networks')).body as NetworkList;
    expect(after.networks).toEqual([]);
    expect(hostPartsOf(withDefault, made.name, made.bridge)).toEqual({
      bridge: false,
      table: false,
      dnsmasqPid: undefined,
    });
  });
});
