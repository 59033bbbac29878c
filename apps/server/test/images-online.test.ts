import { afterAll, describe, expect, it } from 'vitest';
import { READY, WsCollector } from './harness.ts';
import { errorOf } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';
import { waitVm } from './storage-guest.ts';

// Online resize: a running guest's disk grows through QMP block_resize and the guest sees it at once.
describe('online resize of a running guest disk', () => {
  const server = useServer({ withGuestIso: true });
  let id = '';
  let serial: WsCollector | undefined;
  let marker = 0;

  /** Runs `cat /sys/block/vda/size` in the guest's root shell (serial console) and returns the sectors. */
  const guestSectors = async (): Promise<number> => {
    const tag = `sz${++marker}`;
    if (!serial) throw new Error('no serial console');
    const con = serial;
    con.ws.send(`echo ${tag}=$(cat /sys/block/vda/size)\n`);
    const re = new RegExp(`${tag}=(\\d+)`);
    await con.waitFor((c) => re.test(c.text), `the guest's answer ${tag}`, 30_000);
    return Number(re.exec(con.text)?.[1]);
  };

  afterAll(() => {
    serial?.ws.close();
  });

  it('boots the test guest with a 64 MiB qcow2 disk', async () => {
    const disk = await server.api('POST', '/api/images', {
      name: 'data.qcow2',
      format: 'qcow2',
      size: '64M',
    });
    expect(disk.status).toBe(201);
    const vm = await server.api('POST', '/api/vms', {
      name: 'grow',
      memoryMiB: 256,
      vcpus: 1,
      disks: [{ image: 'data.qcow2' }],
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
    });
    expect(vm.status).toBe(201);
    id = (vm.body as { id: string }).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const con = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    serial = con;
    await con.waitFor((c) => c.text.includes(READY), 'the guest ready marker', 120_000);
    expect(await guestSectors()).toBe((64 * 2 ** 20) / 512);
  }, 180_000);

  it('grows the disk through block_resize; the guest sees the new size', async () => {
    const res = await server.api('POST', '/api/images/data.qcow2/resize', { size: '96M' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: 'data.qcow2', virtualSize: 96 * 2 ** 20, usedBy: [id] });
    expect(await guestSectors()).toBe((96 * 2 ** 20) / 512);
  });

  it('refuses to shrink it, and to resize the CD the guest has open', async () => {
    const shrink = await server.api('POST', '/api/images/data.qcow2/resize', { size: '32M', shrink: true });
    expect(shrink.status).toBe(409);
    expect(shrink.body).toMatchObject({ error: { code: 'in_use' } });
    expect(await guestSectors()).toBe((96 * 2 ** 20) / 512);
    // The image is open in qemu: converting it would read a disk being written.
    const convert = await server.api('POST', '/api/images/data.qcow2/convert', {
      target: 'copy.raw',
      format: 'raw',
    });
    expect(convert.status).toBe(409);
    expect(errorOf(convert.body)).toMatch(/lock/);
  });

  it('keeps the new size after the guest is powered off', async () => {
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await waitVm(server, id, (vm) => vm.state === 'stopped', 'stopped', 30_000);
    expect((await server.api('GET', '/api/images/data.qcow2')).body).toMatchObject({
      virtualSize: 96 * 2 ** 20,
    });
  });
});
