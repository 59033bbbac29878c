import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, imagesDirEntries } from './harness.ts';
import { errorOf, MiB, ProgressWatcher, writeRandomFile } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';

interface ImageBody {
  name: string;
  format: string;
  virtualSize: number;
  backingFile?: string;
  backingChain: { name: string; format: string; inStore: boolean }[];
  usedBy: string[];
  problem?: string;
}

// The image store over real qemu-img: create, info, resize, convert, delete, and what it refuses.
describe('image store', () => {
  const server = useServer({ withGuestIso: true, env: { VIRTWEB_MAX_IMAGE_SIZE: '1T' } });
  const { dataDir } = server;
  let progress: ProgressWatcher;
  const images = () => path.join(dataDir, 'images');
  const listDir = () => imagesDirEntries(images());
  const sha = async (name: string) =>
    createHash('sha256')
      .update(await fsp.readFile(path.join(images(), name)))
      .digest('hex');
  const get = async (name: string) => (await server.api('GET', `/api/images/${name}`)).body as ImageBody;

  beforeAll(async () => {
    progress = new ProgressWatcher(server.ws('/api/events'));
    await progress.opened();
  });
  afterAll(() => {
    progress.ws.close();
  });

  it('creates qcow2, raw, vmdk and vdi images and a qcow2 overlay with its backing chain', async () => {
    for (const format of ['qcow2', 'raw', 'vmdk', 'vdi']) {
      const res = await server.api('POST', '/api/images', { name: `d.${format}`, format, size: '64M' });
      expect(res.status, format).toBe(201);
      expect(res.body).toMatchObject({
        name: `d.${format}`,
        format,
        virtualSize: 64 * MiB,
        backingChain: [],
      });
    }
    const overlay = await server.api('POST', '/api/images', {
      name: 'ov.qcow2',
      format: 'qcow2',
      backingImage: 'd.qcow2',
    });
    expect(overlay.status).toBe(201);
    expect(overlay.body).toMatchObject({
      virtualSize: 64 * MiB,
      backingFile: 'd.qcow2',
      backingChain: [{ name: 'd.qcow2', format: 'qcow2', inStore: true }],
    });
    const overRaw = await server.api('POST', '/api/images', {
      name: 'ov2.qcow2',
      format: 'qcow2',
      size: '128M',
      backingImage: 'd.raw',
    });
    expect(overRaw.body).toMatchObject({
      virtualSize: 128 * MiB,
      backingChain: [{ name: 'd.raw', format: 'raw' }],
    });
    const refused: [unknown, number][] = [
      [{ name: 'x.vmdk', format: 'vmdk', backingImage: 'd.qcow2' }, 400],
      [{ name: 'x.qcow2', format: 'qcow2', backingImage: 'nope.qcow2' }, 400],
      [{ name: 'x.qcow2', format: 'qcow2', backingImage: '../etc/passwd' }, 400],
      [{ name: 'x.qcow2', format: 'qcow2', backingImage: 'x.qcow2' }, 400],
      [{ name: 'x.qcow2', format: 'qcow2' }, 400],
      [{ name: 'x.qcow2', format: 'qcow2', size: '2T' }, 400],
      [{ name: 'x.part', format: 'raw', size: '1M' }, 400],
      [{ name: 'd.vdi', format: 'vdi', size: '1M' }, 409],
    ];
    for (const [body, status] of refused) {
      expect((await server.api('POST', '/api/images', body)).status, JSON.stringify(body)).toBe(status);
    }
    // A backing file cannot be deleted under its overlay.
    const del = await server.api('DELETE', '/api/images/d.qcow2');
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ error: { code: 'in_use' } });
    expect(errorOf(del.body)).toMatch(/ov\.qcow2/);
    expect(await listDir()).toEqual(
      ['d.qcow2', 'd.raw', 'd.vdi', 'd.vmdk', 'ov.qcow2', 'ov2.qcow2', 'tinylinux.iso'].sort(),
    );
  });

  it('grows images, shrinks only when confirmed, and says why it cannot', async () => {
    const grow = await server.api('POST', '/api/images/d.qcow2/resize', { size: '128M' });
    expect(grow.status).toBe(200);
    expect(grow.body).toMatchObject({ virtualSize: 128 * MiB });
    expect((await server.api('POST', '/api/images/d.raw/resize', { size: 100 * MiB })).status).toBe(200);
    expect((await get('d.raw')).virtualSize).toBe(100 * MiB);

    const unconfirmed = await server.api('POST', '/api/images/d.raw/resize', { size: '32M' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body).toMatchObject({ error: { details: [{ path: 'shrink' }] } });
    expect((await get('d.raw')).virtualSize).toBe(100 * MiB);
    // d.raw backs ov2.qcow2: even confirmed, it cannot shrink.
    const backs = await server.api('POST', '/api/images/d.raw/resize', { size: '32M', shrink: true });
    expect(backs.status).toBe(409);
    const shrunk = await server.api('POST', '/api/images/ov2.qcow2/resize', { size: '32M', shrink: true });
    expect(shrunk.status).toBe(200);
    expect(shrunk.body).toMatchObject({ virtualSize: 32 * MiB });

    const vmdk = await server.api('POST', '/api/images/d.vmdk/resize', { size: '128M' });
    expect(vmdk.status).toBe(400);
    expect(errorOf(vmdk.body)).toMatch(/does not support resize/);
    const iso = await server.api('POST', '/api/images/tinylinux.iso/resize', { size: '1G' });
    expect(iso.status).toBe(400);
    expect(errorOf(iso.body)).toMatch(/iso file, not a disk/);
    for (const body of [
      { size: 0 },
      { size: -1 },
      { size: '12 parsecs' },
      { size: '2T' },
      { size: '1G', x: 1 },
      {},
    ]) {
      expect(
        (await server.api('POST', '/api/images/d.qcow2/resize', body)).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    expect((await server.api('POST', '/api/images/nope.qcow2/resize', { size: '1G' })).status).toBe(404);
    expect((await server.api('POST', '/api/images/..%2Fvirtweb.db/resize', { size: '1G' })).status).toBe(400);
    const events = progress.of('d.qcow2', 'resize');
    expect(events.map((e) => e.done)).toEqual([0, 1]);
  });

  it('refuses to shrink an image a VM uses, but grows it offline while that VM is stopped', async () => {
    const vm = await server.api('POST', '/api/vms', {
      name: 'user',
      memoryMiB: 128,
      vcpus: 1,
      disks: [{ image: 'd.vdi' }],
      cdrom: 'tinylinux.iso',
    });
    expect(vm.status).toBe(201);
    const id = (vm.body as { id: string }).id;
    const shrink = await server.api('POST', '/api/images/d.vdi/resize', { size: '16M', shrink: true });
    expect(shrink.status).toBe(409);
    expect(shrink.body).toMatchObject({ error: { code: 'in_use' } });
    expect((await server.api('POST', '/api/images/d.qcow2/resize', { size: '256M' })).status).toBe(200);
    const refused = await server.api('DELETE', '/api/images/d.vdi');
    expect(refused.status).toBe(409);
    // Guests are named by name in refusals, never by id.
    expect(apiError(refused.body).message).toBe('image d.vdi is used by VM user; remove it from them first');
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
  });

  it('converts with -p progress events, never touching the source', async () => {
    await writeRandomFile(path.join(images(), 'data.raw'), 48 * MiB);
    const before = await sha('data.raw');
    for (const format of ['qcow2', 'vmdk', 'vdi'] as const) {
      const res = await server.api('POST', '/api/images/data.raw/convert', {
        target: `data.${format}`,
        format,
      });
      expect(res.status, format).toBe(201);
      expect(res.body).toMatchObject({ name: `data.${format}`, format, virtualSize: 48 * MiB });
    }
    const back = await server.api('POST', '/api/images/data.vdi/convert', {
      target: 'back.raw',
      format: 'raw',
    });
    expect(back.status).toBe(201);
    expect(await sha('back.raw')).toBe(before);
    expect(await sha('data.raw')).toBe(before);
    await progress.waitFor(
      () => progress.of('data.raw', 'convert').some((e) => e.target === 'data.vdi' && e.done === e.total),
      'the last convert event',
    );
    const events = progress.of('data.raw', 'convert').filter((e) => e.target === 'data.qcow2');
    expect(events[0]).toMatchObject({ done: 0, total: 48 * MiB });
    expect(events.at(-1)).toMatchObject({ done: 48 * MiB, total: 48 * MiB });

    // An overlay converts into a standalone image.
    const flat = await server.api('POST', '/api/images/ov.qcow2/convert', {
      target: 'flat.qcow2',
      format: 'qcow2',
    });
    expect(flat.body).toMatchObject({ backingChain: [] });
    expect((flat.body as ImageBody).backingFile).toBeUndefined();

    const refused: [string, unknown, number][] = [
      ['data.raw', { target: 'data.qcow2', format: 'qcow2' }, 409],
      ['data.raw', { target: 'data.raw', format: 'qcow2' }, 400],
      ['data.raw', { target: '../x.qcow2', format: 'qcow2' }, 400],
      ['data.raw', { target: '.x', format: 'qcow2' }, 400],
      ['data.raw', { target: 'x.part', format: 'qcow2' }, 400],
      ['data.raw', { target: 'x.img', format: 'iso' }, 400],
      ['nope.raw', { target: 'x.img', format: 'raw' }, 404],
    ];
    for (const [src, body, status] of refused) {
      const res = await server.api('POST', `/api/images/${src}/convert`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
    }
    expect((await listDir()).filter((n) => n.startsWith('.') || n.startsWith('x'))).toEqual([]);
  });

  it('serialises operations on one image: 409 busy while a convert runs', async () => {
    await writeRandomFile(path.join(images(), 'big.raw'), 384 * MiB);
    const running = server.api('POST', '/api/images/big.raw/convert', { target: 'big.vdi', format: 'vdi' });
    await progress.waitFor(() => progress.of('big.raw', 'convert').length > 0, 'the convert to start');
    // Sent at once: each refusal is decided in a few ms, the convert of 384 MiB takes far longer.
    const [inspected, ...attempts] = await Promise.all([
      server.api('GET', '/api/images/big.raw'),
      server.api('POST', '/api/images/big.raw/resize', { size: '1G' }),
      server.api('POST', '/api/images/big.raw/convert', { target: 'other.qcow2', format: 'qcow2' }),
      server.api('DELETE', '/api/images/big.raw'),
      server.api('POST', '/api/images', { name: 'big.vdi', format: 'raw', size: '1M' }),
      server.api('POST', '/api/images', { name: 'ov.big', format: 'qcow2', backingImage: 'big.raw' }),
    ]);
    expect(progress.of('big.raw', 'convert').some((e) => e.done === e.total)).toBe(false);
    expect(inspected.body).toMatchObject({ operation: 'convert' });
    for (const res of attempts) {
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'busy' } });
      expect(errorOf(res.body)).toMatch(/convert in progress/);
    }
    expect((await running).status).toBe(201);
    expect((await server.api('GET', '/api/images/big.raw')).body).not.toHaveProperty('operation');
    expect((await server.api('DELETE', '/api/images/big.raw')).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/big.vdi')).status).toBe(204);
    expect(await listDir()).not.toContain('other.qcow2');
  });

  it('lists every image with sizes, chain and users; deletes what nothing depends on', async () => {
    const list = (await server.api('GET', '/api/images')).body as ImageBody[];
    const byName = new Map(list.map((i) => [i.name, i]));
    expect(byName.get('ov.qcow2')?.backingChain).toEqual([
      { name: 'd.qcow2', format: 'qcow2', virtualSize: 256 * MiB, inStore: true },
    ]);
    expect(byName.get('tinylinux.iso')).toMatchObject({ format: 'iso', usedBy: [] });
    expect((await server.api('DELETE', '/api/images/ov.qcow2')).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/d.qcow2')).status).toBe(204);
    expect(await listDir()).not.toContain('d.qcow2');
  });
});
