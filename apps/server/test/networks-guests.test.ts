import { afterAll, describe, expect, it } from 'vitest';
import { createGuest } from './harness.ts';
import { createNetwork, freeSubnet, run, scrubNetworks, testTag } from './network-harness.ts';
import { useServer } from './server-fixture.ts';
import { errorMessage, GuestShell } from './storage-guest.ts';

interface Nic {
  mac: string;
  mode: string;
  slot: number;
}
interface Lease {
  mac: string;
  ip: string;
  hostname: string | null;
}

/** The host's first global IPv4 address outside our bridges (a port forward's address from the host itself). */
function hostAddress(): string {
  const rows = JSON.parse(run('ip', ['-j', '-4', 'addr'])) as {
    ifname: string;
    addr_info: { local: string; scope: string }[];
  }[];
  const row = rows.find((r) => r.ifname !== 'lo' && !r.ifname.startsWith('vw') && r.addr_info.length > 0);
  const address = row?.addr_info.find((a) => a.scope === 'global')?.local;
  if (address === undefined) throw new Error('the host has no global IPv4 address');
  return address;
}

// Two real test guests on one NAT network: DHCP from the network's dnsmasq, each other by address and by the
// DNS name the network gives them (their guest names), the gateway, and a port forward to a guest's httpd; their
// addresses shown from the network's leases.
describe('guests on a managed NAT network', () => {
  const server = useServer({ withGuestIso: true });
  const tag = testTag();
  const name = `g${tag}`;
  const made: { name: string; bridge: string }[] = [];
  afterAll(() => scrubNetworks(made));

  it('get leases, reach each other by address and by name, reach the gateway, and serve through a port forward', async () => {
    const net = await createNetwork(server, { name, kind: 'nat', subnet: freeSubnet() });
    made.push({ name, bridge: net.bridge });
    const guests = ['alpha', 'beta'];
    const ids: string[] = [];
    for (const g of guests) {
      const { id } = await createGuest(server, `${g}-${tag}`, {
        boot: 'cdrom',
        nics: [{ mode: 'network', network: name }],
        // No guest agent: the addresses below can only come from the network's DHCP leases.
        guestAgent: false,
      });
      ids.push(id);
      const start = await server.api('POST', `/api/vms/${id}/start`);
      expect(start.status, errorMessage(start.body)).toBe(202);
    }
    const shells = await Promise.all(ids.map((id) => GuestShell.open(server, id)));
    const [a, b] = shells as [GuestShell, GuestShell];

    // Both guests' MACs get a lease, named after the guest.
    const macs = await Promise.all(
      ids.map(
        async (id) => ((await server.api('GET', `/api/vms/${id}`)).body as { nics: Nic[] }).nics[0]?.mac,
      ),
    );
    let leases: Lease[] = [];
    for (let i = 0; i < 60 && leases.length < 2; i++) {
      leases = ((await server.api('GET', `/api/networks/${name}`)).body as { leases: Lease[] }).leases.filter(
        (l) => macs.includes(l.mac),
      );
      if (leases.length < 2) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(leases.map((l) => l.mac).sort()).toEqual([...macs].sort());
    const ipOf = (i: number) => leases.find((l) => l.mac === macs[i])?.ip ?? '';
    // The guests list shows each guest's leased address.
    for (const [i, id] of ids.entries()) {
      let addresses: string[] = [];
      for (let t = 0; t < 30 && !addresses.includes(ipOf(i)); t++) {
        addresses =
          ((await server.api('GET', `/api/vms/${id}`)).body as { addresses?: string[] }).addresses ?? [];
        if (!addresses.includes(ipOf(i))) await new Promise((r) => setTimeout(r, 500));
      }
      expect(addresses).toEqual([ipOf(i)]);
    }

    const ping = (shell: GuestShell, target: string) =>
      shell.until(
        `ping -c 1 -W 2 ${target} >/dev/null && echo reached`,
        (o) => o.endsWith('reached'),
        target,
        30_000,
      );
    await ping(a, ipOf(1));
    await ping(b, ipOf(0));
    await ping(a, net.gateway ?? '');
    // By name: the network's dnsmasq answers for the guests it leased to (name.network.virtweb, and the bare name).
    expect(await a.sh(`nslookup beta-${tag}.${name}.virtweb ${net.gateway ?? ''}`)).toContain(ipOf(1));
    await ping(a, `beta-${tag}.${name}.virtweb`);
    await ping(b, `alpha-${tag}`);

    // A port forward on the network reaches busybox httpd in a guest from the host.
    await b.sh(`mkdir -p /www && echo hello-${tag} > /www/index.html && httpd -p 8080 -h /www`);
    const hostPort = 20000 + Math.floor(Math.random() * 10000);
    const fwd = await server.api('PUT', `/api/networks/${name}/port-forwards`, {
      portForwards: [{ protocol: 'tcp', hostPort, guestAddress: ipOf(1), guestPort: 8080 }],
    });
    expect(fwd.status, errorMessage(fwd.body)).toBe(200);
    const page = await fetch(`http://${hostAddress()}:${hostPort}/`);
    expect((await page.text()).trim()).toBe(`hello-${tag}`);

    // In use: a delete names the guests.
    const del = await server.api('DELETE', `/api/networks/${name}`);
    expect(del.status).toBe(409);
    expect(errorMessage(del.body)).toContain(`alpha-${tag}`);
    for (const s of shells) s.close();
    for (const id of ids) expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
  }, 300_000);
});
