import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './server-fixture.ts';
import { errorCode, errorMessage, GuestShell, hmp, powerOff, type VmBody } from './storage-guest.ts';

interface NicBody {
  slot: number;
  mac: string;
  model: string;
  mode: string;
  linkUp: boolean;
}
type VmWithNics = VmBody & { name: string; nics: NicBody[]; pendingChanges?: string[] };

// q35 (the default): each NIC slot has its own PCIe root port, which is what makes NICs hot-pluggable there.
describe('NIC hot-plug, link and unplug on a running guest', () => {
  const server = useServer({ withGuestIso: true });
  const { dataDir } = server;
  let id = '';
  let shell: GuestShell | undefined;
  const guest = (): GuestShell => {
    if (!shell) throw new Error('no guest shell');
    return shell;
  };
  const vm = async () => (await server.api('GET', `/api/vms/${id}`)).body as VmWithNics;
  const netDevs = () => guest().sh('ls /sys/class/net | tr "\\n" " "');

  beforeAll(async () => {
    const created = await server.api('POST', '/api/vms', {
      name: 'nics',
      memoryMiB: 256,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      nics: [{ mode: 'user' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = (created.body as VmBody).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
  });
  afterAll(() => {
    shell?.close();
  });

  it('hot-plugs a user-mode NIC the guest sees at once, with its MAC, in the lowest free slot', async () => {
    expect(await netDevs()).not.toContain('eth1');
    const added = await server.api('POST', `/api/vms/${id}/nics`, { mode: 'user', model: 'virtio' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const nic = added.body as NicBody;
    expect(nic).toMatchObject({ slot: 1, model: 'virtio', mode: 'user', linkUp: true });
    expect(nic.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    await guest().until('ls /sys/class/net', (o) => o.includes('eth1'), 'eth1 in the guest', 60_000);
    expect(await guest().sh('cat /sys/class/net/eth1/address')).toBe(nic.mac);
    expect(await hmp(dataDir, id, 'info network')).toMatch(/net1-nic: index=0,type=nic,model=virtio-net-pci/);
    const after = await vm();
    expect(after.nics.map((n) => n.slot)).toEqual([0, 1]);
    expect(after.nics[0]?.mac).not.toBe(nic.mac);
    expect(after.pendingChanges).toBeUndefined();
  }, 120_000);

  it('pulls and plugs the cable (set_link), kept in the definition', async () => {
    const down = await server.api('PATCH', `/api/vms/${id}/nics/1`, { linkUp: false });
    expect(down.status, JSON.stringify(down.body)).toBe(200);
    expect(down.body).toMatchObject({ slot: 1, linkUp: false });
    // NOTE: qemu 7.2's `info network` does not show the link; the guest's carrier does (on an interface up).
    await guest().sh('ip link set eth1 up');
    await guest().until('cat /sys/class/net/eth1/carrier', (o) => o === '0', 'no carrier on eth1');
    const stored = await vm();
    expect(stored.nics.find((n) => n.slot === 1)?.linkUp).toBe(false);
    expect(stored.pendingChanges).toBeUndefined();
    expect((await server.api('PATCH', `/api/vms/${id}/nics/1`, { linkUp: true })).status).toBe(200);
    await guest().until('cat /sys/class/net/eth1/carrier', (o) => o === '1', 'carrier on eth1');
    const missing = await server.api('PATCH', `/api/vms/${id}/nics/5`, { linkUp: false });
    expect(missing.status).toBe(404);
  }, 60_000);

  it('rolls a refused hot-plug back: qemu says why, no backend or device is left, nothing stored', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const res = await server.api('POST', `/api/vms/${id}/nics`, {
        mode: 'user',
        portForwards: [{ hostPort: port, guestPort: 22 }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(errorCode(res.body)).toBe('qemu_failed');
      expect(errorMessage(res.body)).toMatch(
        /cannot hot-plug the NIC in slot 2: qemu says: Could not set up host forwarding rule/,
      );
    } finally {
      busy.close();
    }
    const info = await hmp(dataDir, id, 'info network');
    expect(info).not.toMatch(/net2/);
    expect((await vm()).nics.map((n) => n.slot)).toEqual([0, 1]);
  });

  it('unplugs the NIC once the guest lets go, then its backend', async () => {
    const res = await server.api('DELETE', `/api/vms/${id}/nics/1`);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await netDevs()).not.toContain('eth1');
    expect(await hmp(dataDir, id, 'info network')).not.toMatch(/net1/);
    expect((await vm()).nics.map((n) => n.slot)).toEqual([0]);
    expect((await server.api('DELETE', `/api/vms/${id}/nics/1`)).status).toBe(404);
  }, 120_000);

  it('adds a NIC to a stopped guest in the definition only, and qemu has it at the next start', async () => {
    await powerOff(server, id);
    const added = await server.api('POST', `/api/vms/${id}/nics`, { mode: 'user', slot: 6, linkUp: false });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const { mac } = added.body as NicBody;
    const cl = (await server.api('GET', `/api/vms/${id}/command-line`)).body as { argv: string[] };
    expect(cl.argv.join(' ')).toContain(
      `virtio-net-pci,netdev=net6,id=net6-nic,mac=${mac},romfile=,bus=net6-port`,
    );
    shell?.close();
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    // The cable pulled before the stop is pulled again before the guest runs.
    expect(await guest().sh('cat /sys/class/net/eth1/address')).toBe(mac);
    await guest().sh('ip link set eth1 up');
    await guest().until('cat /sys/class/net/eth1/carrier', (o) => o === '0', 'no carrier on eth1');
    await guest().until('cat /sys/class/net/eth0/carrier', (o) => o === '1', 'carrier on eth0');
  }, 180_000);
});

describe('MACs', () => {
  const server = useServer();

  it('are unique across 20 guests of several NICs and their clones; a clash names the guest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await server.api('POST', '/api/vms', {
        name: `m${i}`,
        memoryMiB: 64,
        vcpus: 1,
        nics: [{ mode: 'user' }, { mode: 'user', model: 'rtl8139' }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push((res.body as VmBody).id);
    }
    for (const [i, id] of ids.entries()) {
      const res = await server.api('POST', `/api/vms/${id}/clone`, { name: `m${i}-clone` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const vms = (await server.api('GET', '/api/vms')).body as VmWithNics[];
    expect(vms).toHaveLength(40);
    const macs = vms.flatMap((v) => v.nics.map((n) => n.mac));
    expect(macs).toHaveLength(80);
    expect(new Set(macs).size).toBe(80);
    for (const mac of macs) expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    // A clone keeps the NICs (slot, model), not their MACs.
    const src = vms.find((v) => v.name === 'm3');
    const clone = vms.find((v) => v.name === 'm3-clone');
    expect(clone?.nics.map(({ slot, model, mode }) => ({ slot, model, mode }))).toEqual(
      src?.nics.map(({ slot, model, mode }) => ({ slot, model, mode })),
    );

    const taken = src?.nics[1]?.mac ?? '';
    const clash = await server.api('POST', '/api/vms', {
      name: 'clash',
      memoryMiB: 64,
      vcpus: 1,
      nics: [{ mode: 'user', mac: taken.toUpperCase() }],
    });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({
      error: {
        code: 'in_use',
        details: [{ path: 'nics.0.mac', message: `MAC ${taken} is in use by the guest m3` }],
      },
    });
    const added = await server.api('POST', `/api/vms/${ids[0] ?? ''}/nics`, { mode: 'user', mac: taken });
    expect(added.status).toBe(409);
    expect(added.body).toMatchObject({
      error: { details: [{ path: 'mac', message: expect.stringContaining('m3') as string }] },
    });
  }, 120_000);
});
