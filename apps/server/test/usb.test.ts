// Host USB passthrough through the API with real qemu. This host has no USB bus, so the server lists a sysfs
// tree the test makes (VIRTWEB_USB_SYSFS); qemu gets usb-host for those devices and, not finding them on the
// host, keeps each device waiting on the guest's xHCI bus — which `info qtree` shows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiError, createGuest } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { errorMessage, hmp } from './storage-guest.ts';

const sysfs = mkdtempSync(join(tmpdir(), 'virtweb-usb-sysfs-'));
afterAll(() => rmSync(sysfs, { recursive: true, force: true }));

function plug(name: string, attrs: Record<string, string>): void {
  mkdirSync(join(sysfs, name));
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(sysfs, name, k), `${v}\n`);
}
plug('usb1', { busnum: '1', devnum: '1', idVendor: '1d6b', idProduct: '0002', bDeviceClass: '09' });
plug('1-1', {
  busnum: '1',
  devnum: '2',
  idVendor: '0781',
  idProduct: '5581',
  product: 'Ultra',
  manufacturer: 'SanDisk',
});
// Two receivers of one kind: only their ports tell them apart.
plug('1-2', { busnum: '1', devnum: '3', idVendor: '046d', idProduct: 'c52b', product: 'USB Receiver' });
plug('1-3.1', { busnum: '1', devnum: '4', idVendor: '046d', idProduct: 'c52b', product: 'USB Receiver' });

interface Usb {
  slot: number;
  vendorId: string;
  productId: string;
  bus?: number;
  port?: string;
  label?: string;
}
interface VmBody {
  id: string;
  usb: Usb[];
  pendingChanges?: string[];
}

describe('USB passthrough', () => {
  const server = useServer({ env: { VIRTWEB_USB_SYSFS: sysfs } });
  const guest = (name: string) => createGuest<VmBody>(server, name, { cdrom: undefined, memoryMiB: 64 });
  const vm = async (id: string) => (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
  const qtree = (id: string) => hmp(server.dataDir, id, 'info qtree');

  it('lists the host devices, hubs marked, and attaches one to a stopped guest; refuses what cannot be', async () => {
    const a = await guest('usb-a');
    const attach = (body: unknown) => server.api('POST', `/api/vms/${a.id}/usb`, body);
    const ok = await attach({ vendorId: '0781', productId: '5581' });
    expect(ok.status, errorMessage(ok.body)).toBe(201);
    expect(ok.body).toEqual({ slot: 0, vendorId: '0781', productId: '5581', label: 'SanDisk Ultra' });
    expect((await vm(a.id)).usb).toEqual([ok.body]);

    const list = (await server.api('GET', '/api/host/usb')).body as {
      devices: { bus: number; port: string; vendorId: string; hub: boolean; usedBy: { name: string }[] }[];
    };
    expect(list.devices.map((d) => [d.port, d.vendorId, d.hub, d.usedBy.map((u) => u.name)])).toEqual([
      ['', '1d6b', true, []],
      ['1', '0781', false, ['usb-a']],
      ['2', '046d', false, []],
      ['3.1', '046d', false, []],
    ]);

    expect((await attach({ vendorId: '0781', productId: '5581' })).status).toBe(409);
    const missing = await attach({ vendorId: 'ffff', productId: 'fffe' });
    expect(missing.status).toBe(409);
    expect(apiError(missing.body).message).toBe('USB ffff:fffe is not plugged into this host');
    const hub = await attach({ vendorId: '1d6b', productId: '0002' });
    expect(apiError(hub.body).message).toMatch(/is a hub/);
    const twins = await attach({ vendorId: '046d', productId: 'c52b' });
    expect(twins.status).toBe(409);
    expect(apiError(twins.body).message).toMatch(/2 devices 046d:c52b are plugged in \(1-2, 1-3\.1\)/);
    const badPort = await attach({ vendorId: '046d', productId: 'c52b', port: '3.1' });
    expect(badPort.status).toBe(400);
    expect(apiError(badPort.body).details?.[0]?.path).toBe('port');
    expect((await vm(a.id)).usb).toHaveLength(1);
  });

  it('starts with it, hot-plugs and unplugs another; a device a running guest has is refused elsewhere', async () => {
    const a = (await server.api('GET', '/api/vms')).body as { id: string; name: string }[];
    const id = a.find((v) => v.name === 'usb-a')?.id ?? '';
    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status, errorMessage(start.body)).toBe(202);
    await expect
      .poll(async () => (await server.api('GET', `/api/vms/${id}`)).body)
      .toMatchObject({ state: 'running' });
    expect(await qtree(id)).toMatch(/dev: usb-host, id "usbhost0"[\s\S]*?vendorid = 1921/); // 0x0781

    const plugged = await server.api('POST', `/api/vms/${id}/usb`, {
      vendorId: '046d',
      productId: 'c52b',
      bus: 1,
      port: '3.1',
    });
    expect(plugged.status, errorMessage(plugged.body)).toBe(201);
    expect((plugged.body as Usb).slot).toBe(1);
    expect(await qtree(id)).toMatch(/dev: usb-host, id "usbhost1"[\s\S]*?hostport = "3\.1"/);
    expect((await vm(id)).pendingChanges).toBeUndefined();

    const b = await guest('usb-b');
    const taken = await server.api('POST', `/api/vms/${b.id}/usb`, { vendorId: '0781', productId: '5581' });
    expect(taken.status).toBe(409);
    expect(apiError(taken.body).message).toMatch(/attached to usb-a, which is running/);

    const gone = await server.api('DELETE', `/api/vms/${id}/usb/1`);
    expect(gone.status, errorMessage(gone.body)).toBe(204);
    expect(await qtree(id)).not.toContain('usbhost1');
    expect((await vm(id)).usb.map((u) => u.slot)).toEqual([0]);
    expect((await server.api('DELETE', `/api/vms/${id}/usb/1`)).status).toBe(404);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
  }, 120_000);
});
