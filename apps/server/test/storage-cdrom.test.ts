import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './server-fixture.ts';
import {
  errorCode,
  errorMessage,
  GuestShell,
  hmp,
  makeMarkerIso,
  powerOff,
  waitVm,
  type VmBody,
} from './storage-guest.ts';

// On q35, the wizard's default, whose CD drive is on SATA (AHCI). The guest boots from the test ISO attached
// as a virtio disk (a hybrid ISO boots as a disk), which leaves the CD drive free for the media under test.
describe('CD drive: change, eject and HMP on a running guest, kept across a restart', () => {
  const server = useServer({
    withGuestIso: true,
    prepare: async (dir) => {
      await makeMarkerIso(path.join(dir, 'images/one.iso'), 'MARKER-ONE');
      await makeMarkerIso(path.join(dir, 'images/two.iso'), 'MARKER-TWO');
    },
  });
  const { dataDir } = server;
  let id = '';
  let shell: GuestShell | undefined;

  const cdrom = (body: unknown) => server.api('PUT', `/api/vms/${id}/cdrom`, body);
  const vm = async () => (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
  const guest = (): GuestShell => {
    if (!shell) throw new Error('no guest shell');
    return shell;
  };
  // The first read after a media change fails once (the drive reports "medium may have changed"): retry.
  const readMarker = () =>
    guest().sh(
      'mkdir -p /mnt; for i in 1 2 3 4 5; do mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null && break; ' +
        'sleep 1; done; cat /mnt/marker.txt',
    );

  beforeAll(async () => {
    expect(
      (await server.api('POST', '/api/images', { name: 'disk.qcow2', format: 'qcow2', size: '16M' })).status,
    ).toBe(201);
    const created = await server.api('POST', '/api/vms', {
      name: 'cd',
      memoryMiB: 256,
      vcpus: 1,
      machine: 'q35',
      disks: [{ image: 'tinylinux.iso' }],
      boot: 'disk',
      nics: [],
    });
    expect(created.status).toBe(201);
    id = (created.body as VmBody).id;
  });
  afterAll(() => {
    shell?.close();
  });

  it('boots with an empty CD drive and inserts an ISO the guest can read', async () => {
    expect((await server.api('GET', `/api/vms/${id}/cdrom`)).body).toEqual({ image: null });
    expect(await vm()).toMatchObject({ machine: 'q35', disks: [{ image: 'tinylinux.iso', index: 0 }] });
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    expect(await guest().sh('ls /sys/block')).toContain('sr0');

    const res = await cdrom({ image: 'one.iso' });
    expect(res).toMatchObject({ status: 200, body: { image: 'one.iso', trayOpen: false } });
    expect((await vm()).cdrom).toBe('one.iso');
    expect(await readMarker()).toContain('MARKER-ONE');
  }, 180_000);

  it('refuses a change while the guest has the tray locked, and forces it', async () => {
    expect((await server.api('GET', `/api/vms/${id}/cdrom`)).body).toMatchObject({ locked: true });
    const locked = await cdrom({ image: 'two.iso' });
    expect(locked.status).toBe(409);
    expect(errorCode(locked.body)).toBe('tray_locked');
    expect(errorMessage(locked.body)).toMatch(/locked/);
    expect((await vm()).cdrom).toBe('one.iso');

    expect(await cdrom({ image: 'two.iso', force: true })).toMatchObject({
      status: 200,
      body: { image: 'two.iso' },
    });
    expect((await vm()).cdrom).toBe('two.iso');
    await guest().sh('umount /mnt');
    expect(await readMarker()).toContain('MARKER-TWO');
    await guest().sh('umount /mnt');
  });

  it('ejects: the guest finds no medium', async () => {
    const res = await cdrom({ image: null });
    expect(res).toMatchObject({ status: 200, body: { image: null, trayOpen: true } });
    expect((await vm()).cdrom).toBeUndefined();
    expect(await guest().sh('mount -t iso9660 -o ro /dev/sr0 /mnt')).toMatch(/No medium found/);
    // Ejecting an empty drive is a no-op.
    expect((await cdrom({ image: null })).status).toBe(200);
  });

  it('follows media changed behind its back with HMP', async () => {
    await hmp(dataDir, id, `change ide1-cd0 ${path.join(dataDir, 'images/one.iso')} raw`);
    await waitVm(server, id, (v) => v.cdrom === 'one.iso', 'the definition to follow HMP change');
    expect(await readMarker()).toContain('MARKER-ONE');
    await guest().sh('umount /mnt');
    await hmp(dataDir, id, 'eject ide1-cd0');
    await waitVm(server, id, (v) => v.cdrom === undefined, 'the definition to follow HMP eject');
    await hmp(dataDir, id, `change ide1-cd0 ${path.join(dataDir, 'images/one.iso')} raw`);
    await waitVm(server, id, (v) => v.cdrom === 'one.iso', 'the definition to follow HMP change');
  });

  it('keeps the CD across a restart; a stopped VM only changes its definition', async () => {
    shell?.close();
    await powerOff(server, id);
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    expect(await readMarker()).toContain('MARKER-ONE');
    shell.close();
    shell = undefined;
    await powerOff(server, id);
    expect(await cdrom({ image: 'two.iso' })).toMatchObject({ status: 200, body: { image: 'two.iso' } });
    expect((await server.api('GET', `/api/vms/${id}/cdrom`)).body).toEqual({ image: 'two.iso' });
  }, 180_000);

  it('refuses bad requests and changes nothing', async () => {
    const cases: [unknown, number, string?][] = [
      [{ image: 'nope.iso' }, 400],
      [{ image: 'disk.qcow2' }, 400],
      [{ image: '../images/one.iso' }, 400],
      [{ image: 'tinylinux.iso' }, 409, 'in_use'],
      [{}, 400],
      [{ image: 'one.iso', extra: 1 }, 400],
    ];
    for (const [body, status, code] of cases) {
      const res = await cdrom(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
      if (code !== undefined) expect(errorCode(res.body)).toBe(code);
    }
    expect((await server.api('PUT', '/api/vms/0123456789ab/cdrom', { image: 'one.iso' })).status).toBe(404);
    expect((await vm()).cdrom).toBe('two.iso');
  });
});
