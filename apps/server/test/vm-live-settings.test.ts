import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, createGuest, imagesDirEntries } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { GuestShell, hmp, powerOff, waitVm } from './storage-guest.ts';

interface BalloonBody {
  guestStats: 'reported' | 'waiting' | 'not-reported';
  guest?: { totalMiB: number; usedMiB: number; freeMiB: number; availableMiB?: number; updatedAt: string };
}

interface VmBody {
  id: string;
  name: string;
  state: string;
  pendingChanges?: string[];
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (typeof addr !== 'object' || addr === null) throw new Error('no port');
  return addr.port;
}

// One running guest: port forwarding through user-mode NAT, settings stored while it runs (pending until the
// next start), storage changes refused in PUT, disks created and hot-plugged (virtio, SCSI) or kept for the
// next start (SATA, new options), and the memory balloon.
describe('a running VM: port forwards, pending settings, balloon', () => {
  const server = useServer({ withGuestIso: true });
  const { dataDir } = server;
  let id = '';
  let hostPort = 0;
  let shell: GuestShell | undefined;

  const guest = (): GuestShell => {
    if (!shell) throw new Error('no guest shell');
    return shell;
  };
  const config = () => ({
    name: 'live',
    memoryMiB: 256,
    vcpus: 1,
    cdrom: 'tinylinux.iso',
    disks: [{ image: 'root.qcow2' }, { image: 'sata.qcow2', bus: 'sata' }],
    nics: [{ mode: 'user', portForwards: [{ hostPort, guestPort: 8080 }] }],
  });
  const put = (patch: Record<string, unknown>) =>
    server.api('PUT', `/api/vms/${id}`, { ...config(), ...patch });

  beforeAll(async () => {
    for (const name of ['root.qcow2', 'extra.qcow2', 'sata.qcow2'])
      expect((await server.api('POST', '/api/images', { name, format: 'qcow2', size: '16M' })).status).toBe(
        201,
      );
    await createGuest(server, 'taken');
    hostPort = await freePort();
    id = (await createGuest(server, 'live', config())).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
  });
  afterAll(() => {
    shell?.close();
  });

  it('forwards a host port to a guest port (hostfwd of user-mode NAT)', async () => {
    await guest().until('ip -4 addr show eth0', (out) => out.includes('10.0.2.15'), 'the DHCP lease', 90_000);
    await guest().sh(
      'mkdir -p /tmp/www && echo forwarded-ok > /tmp/www/index.html && httpd -p 8080 -h /tmp/www',
    );
    const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`);
    expect(await res.text()).toBe('forwarded-ok\n');
  }, 120_000);

  it('refuses disk and CD changes in PUT while running, and stores the rest as pending', async () => {
    const disks = await put({ disks: [] });
    expect(disks.status).toBe(409);
    expect(apiError(disks.body).details).toEqual([
      { path: 'disks', message: expect.stringMatching(/Storage tab/) as string },
    ]);
    const cd = await put({ cdrom: undefined });
    expect(cd.status).toBe(409);
    expect(apiError(cd.body).details?.map((d) => d.path)).toEqual(['cdrom']);
    const bus = await put({ disks: [{ image: 'root.qcow2', bus: 'sata' }, { image: 'sata.qcow2' }] });
    expect(bus.status).toBe(409);
    expect((await put({ name: 'taken' })).status).toBe(409);

    const res = await put({ name: 'live2', memoryMiB: 320, clock: 'localtime' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: 'live2',
      state: 'running',
      pendingChanges: ['memoryMiB', 'clock'],
    });
    const cl = (await server.api('GET', `/api/vms/${id}/command-line`)).body as { argv: string[] };
    expect(cl.argv.join(' ')).toContain('-m 320 ');
    expect(cl.argv.join(' ')).toContain('-rtc base=localtime');
    // The clock back to what runs: only the memory is pending now.
    const back = await put({ name: 'live2', memoryMiB: 320 });
    expect((back.body as VmBody).pendingChanges).toEqual(['memoryMiB']);
  });

  it('creates and hot-plugs virtio and SCSI disks, keeps a SATA disk and new options for the next start', async () => {
    const add = (body: Record<string, unknown>) => server.api('POST', `/api/vms/${id}/disks`, body);
    const vmPending = async () =>
      ((await server.api('GET', `/api/vms/${id}`)).body as VmBody).pendingChanges ?? [];
    const images = () => imagesDirEntries(path.join(dataDir, 'images'));

    const vd = await add({ image: 'new-vd.qcow2', cache: 'none', create: { sizeBytes: 8 << 20 } });
    expect(vd.status, JSON.stringify(vd.body)).toBe(201);
    expect(vd.body).toMatchObject({
      index: 2,
      bus: 'virtio',
      cache: 'none',
      device: 'virtio-disk2',
      pending: false,
    });
    await guest().until(
      'cat /sys/block/vdb/size',
      (out) => out.trim() === String((8 << 20) / 512),
      'vdb',
      30_000,
    );
    const sd = await add({
      image: 'new-sd.raw',
      bus: 'scsi',
      readOnly: true,
      discard: 'unmap',
      create: { format: 'raw', sizeBytes: 4 << 20 },
    });
    expect(sd.status, JSON.stringify(sd.body)).toBe(201);
    expect(sd.body).toMatchObject({
      index: 3,
      bus: 'scsi',
      readOnly: true,
      discard: 'unmap',
      device: 'scsi-disk3',
    });
    const block = await hmp(dataDir, id, 'info block');
    expect(block).toMatch(/disk2: \S+new-vd\.qcow2 \(qcow2\)[^]*?Cache mode: +writeback, direct/);
    expect(block).toMatch(/disk3: \S+new-sd\.raw \(raw, read-only\)[^]*?Attached to: +scsi-disk3/);
    const qtree = await hmp(dataDir, id, 'info qtree');
    expect(qtree).toMatch(/dev: virtio-scsi-pci, id "scsi0"[^]*?dev: scsi-hd, id "scsi-disk3"/);

    // An image that exists is never made (nor deleted); a new one is deleted when qemu refuses the disk.
    const exists = await add({ image: 'extra.qcow2', create: { sizeBytes: 1 << 20 } });
    expect(exists.status).toBe(409);
    expect(await images()).toContain('extra.qcow2');
    await hmp(dataDir, id, 'drive_add 0 if=none,id=squatter,driver=null-co,node-name=disk4-file');
    const refused = await add({ image: 'doomed.qcow2', create: { sizeBytes: 1 << 20 } });
    expect(refused.status).toBe(409);
    expect(apiError(refused.body).message).toMatch(/qemu says: Duplicate nodes with node-name='disk4-file'/);
    expect(await images()).not.toContain('doomed.qcow2');
    await hmp(dataDir, id, 'drive_del squatter');

    const sata = await add({ image: 'extra.qcow2', bus: 'sata' });
    expect(sata.status, JSON.stringify(sata.body)).toBe(201);
    expect(sata.body).toMatchObject({ index: 4, bus: 'sata', device: 'sata-disk4', pending: true });
    expect(await vmPending()).toContain('disks');
    expect(await hmp(dataDir, id, 'info block')).not.toContain('extra.qcow2');
    const ide = await add({ image: 'ide.qcow2', bus: 'ide', create: { sizeBytes: 1 << 20 } });
    expect(ide.status).toBe(400);
    expect(apiError(ide.body)).toMatchObject({ details: [{ path: 'bus' }] });
    expect(apiError(ide.body).message).toMatch(/q35 machine has no IDE controller/);
    expect(await images()).not.toContain('ide.qcow2');

    const patch = await server.api('PATCH', `/api/vms/${id}/disks/0`, { cache: 'unsafe' });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body).toMatchObject({ index: 0, cache: 'unsafe', pending: true });
    const badPatch = await server.api('PATCH', `/api/vms/${id}/disks/1`, { readOnly: true });
    expect(badPatch.status).toBe(400);
    expect(apiError(badPatch.body).details?.[0]?.path).toBe('readOnly');

    const unplug = await server.api('DELETE', `/api/vms/${id}/disks/1`);
    expect(unplug.status).toBe(409);
    expect(apiError(unplug.body).message).toMatch(
      /SATA and IDE disks cannot be unplugged from a running guest/,
    );
    // Back to what qemu runs: the pending SATA disk goes from the definition only, the others are unplugged.
    expect((await server.api('DELETE', `/api/vms/${id}/disks/4`)).status).toBe(204);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/3`)).status).toBe(204);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/2`)).status).toBe(204);
    expect((await server.api('PATCH', `/api/vms/${id}/disks/0`, { cache: 'writeback' })).body).toMatchObject({
      pending: false,
    });
    expect(await vmPending()).not.toContain('disks');
    const disks = (await server.api('GET', `/api/vms/${id}/disks`)).body as { device: string }[];
    expect(disks.map((d) => d.device)).toEqual(['virtio-disk0', 'sata-disk1']);
  }, 120_000);

  it('inflates the balloon: the guest gives memory back', async () => {
    const tooMuch = await server.api('POST', `/api/vms/${id}/balloon`, { targetMiB: 1024 });
    expect(tooMuch.status).toBe(400);
    expect(apiError(tooMuch.body).details?.[0]?.path).toBe('targetMiB');
    expect((await server.api('GET', `/api/vms/${id}/balloon`)).body).toMatchObject({
      actualMiB: 256,
      memoryMiB: 256,
    });
    const res = await server.api('POST', `/api/vms/${id}/balloon`, { targetMiB: 160 });
    expect(res.status).toBe(202);
    const t0 = Date.now();
    let actual = 256;
    while (actual > 160 && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      actual = ((await server.api('GET', `/api/vms/${id}/balloon`)).body as { actualMiB: number }).actualMiB;
    }
    expect(actual).toBe(160);
  }, 90_000);

  it("reads the guest's own memory use from the balloon's statistics (the test guest reports them)", async () => {
    const balloon = async () => (await server.api('GET', `/api/vms/${id}/balloon`)).body as BalloonBody;
    // Figures the guest gave after the balloon above settled (qemu's time stamp has whole seconds).
    const t0 = Date.now();
    const fresh = (b: BalloonBody) => b.guest !== undefined && Date.parse(b.guest.updatedAt) >= t0 + 1000;
    let info = await balloon();
    while (info.guestStats !== 'not-reported' && !fresh(info) && Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 500));
      info = await balloon();
    }
    expect(info.guestStats).toBe('reported');
    const mem = info.guest;
    if (!mem) throw new Error('reported, yet no figures');
    expect(fresh(info)).toBe(true);
    // This kernel gives the 96 MiB its balloon driver holds (set to 160 of 256 above) out of its total.
    expect(mem.totalMiB).toBeGreaterThan(64);
    expect(mem.totalMiB).toBeLessThanOrEqual(160);
    expect(mem.usedMiB).toBeGreaterThan(0);
    expect(mem.freeMiB).toBeLessThanOrEqual(mem.totalMiB);
    // Used is what is not available. NOTE: MemAvailable may be below MemFree (the kernel keeps its watermark
    // reserve out of it, and a small guest has little cache to add), so used plus free may exceed the total.
    if (mem.availableMiB !== undefined) expect(mem.usedMiB + mem.availableMiB).toBe(mem.totalMiB);
    // The same total as the guest's own /proc/meminfo (kB, rounded to MiB as the API does).
    const memTotal = await guest().sh('awk \'/MemTotal/ {printf "%d", $2/1024 + 0.5}\' /proc/meminfo');
    expect(mem.totalMiB).toBe(Number(memTotal));
  }, 60_000);

  it('remembers what runs across a server restart, and applies the pending settings at the next start', async () => {
    shell?.close();
    shell = undefined;
    // The guest outlives the server; the new server still knows what the running qemu was started with.
    await server.restart('kill9');
    const adopted = (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
    expect(adopted).toMatchObject({ state: 'running', pendingChanges: ['memoryMiB'] });
    await powerOff(server, id);
    expect(((await server.api('GET', `/api/vms/${id}`)).body as VmBody).pendingChanges).toBeUndefined();
    const noBalloon = await server.api('POST', `/api/vms/${id}/balloon`, { targetMiB: 128 });
    expect(noBalloon.status).toBe(409);
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const vm = await waitVm(server, id, (v) => v.state === 'running', 'running');
    expect((vm as unknown as VmBody).pendingChanges).toBeUndefined();
    expect(await hmp(dataDir, id, 'info memory_size_summary')).toContain(`base memory: ${320 * 2 ** 20}`);
  }, 120_000);
});
