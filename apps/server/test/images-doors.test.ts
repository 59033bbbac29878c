// Every door through which an image reaches qemu (upload, convert, incoming migration, attach, start) inspects
// it at that moment, as qemu will open it: no image may make qemu read a file outside the images dir, and a
// refused operation leaves nothing behind. The hostile images are made here with qemu-img.
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagesDirEntries } from './harness.ts';
import { errorOf, MiB, putUpload } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';

const HOST_FILE = '/etc/hostname';

const qemuImg = (...args: string[]) => execFileSync('qemu-img', args, { encoding: 'utf8' });

/** A qcow2 at `file` backed by `backing` read as `backingFormat` (`-u`: the backing file is not opened). */
const overlay = (file: string, backing: string, backingFormat: string, size = '1M') =>
  qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', backing, '-F', backingFormat, file, size);

/** A monolithicFlat vmdk descriptor whose one extent is `extent`. */
const vmdkDescriptor = (extent: string, sectors: number) =>
  `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW ${sectors} FLAT "${extent}" 0\n`;

describe('the image doors into qemu', () => {
  // work/: the files made to build the hostile images, beside (not in) the images dir.
  const server = useServer({ prepare: (dir) => fsp.mkdir(path.join(dir, 'work')) });
  const { dataDir } = server;
  const work = path.join(dataDir, 'work');
  let token = '';
  const images = () => path.join(dataDir, 'images');
  const inImages = (name: string) => path.join(images(), name);
  const listDir = () => imagesDirEntries(images());

  /** A qcow2 whose backing file is the host file (what a guest could write into its raw disk). */
  let evilHeader: Buffer;
  /** A clean qcow2 whose guest data begins with `evilHeader`: the upload. */
  let hidden: Buffer;
  /** Those guest data as a raw file: what converting `hidden` to raw gives. */
  let hiddenRaw: Buffer;

  /** The qemu processes started for this data dir. */
  const qemuPids = async (): Promise<number[]> => {
    const pids: number[] = [];
    for (const pid of await fsp.readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmd = await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes('qemu-system') && cmd.includes(dataDir)) pids.push(Number(pid));
    }
    return pids;
  };
  const createImage = async (name: string, format: string, size = '1M') => {
    const res = await server.api('POST', '/api/images', { name, format, size });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  const createVm = async (name: string, disks: string[]): Promise<string> => {
    const res = await server.api('POST', '/api/vms', {
      name,
      memoryMiB: 64,
      vcpus: 1,
      disks: disks.map((image) => ({ image })),
      boot: disks.length === 0 ? 'cdrom' : 'disk',
      nics: [],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return (res.body as { id: string }).id;
  };
  /** `POST /api/migrations/incoming` as a peer sends it: an API token, no session. */
  const incoming = async (disk: { image: string; format: string; virtualSize: number }, name: string) => {
    const res = await fetch(`${server.url}/api/migrations/incoming`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        migrationProtocol: MIGRATION_PROTOCOL_VERSION,
        kind: 'offline',
        config: { name, memoryMiB: 64, vcpus: 1, disks: [{ image: disk.image }], nics: [] },
        disks: [{ ...disk, index: 0, create: false }],
        source: { hostname: 'peer', vmId: 'aaaaaaaaaaaa' },
      }),
    });
    return { status: res.status, body: await res.json() };
  };
  /** Writes `bytes` at the start of an image, in place (what a guest does to its disk). */
  const writeAsGuest = async (name: string, bytes: Buffer) => {
    const fh = await fsp.open(inImages(name), 'r+');
    await fh.write(bytes, 0, bytes.length, 0);
    await fh.close();
  };
  const swapForLink = async (name: string) => {
    await fsp.rm(inImages(name));
    await fsp.symlink(HOST_FILE, inImages(name));
  };
  const waitState = async (id: string, state: string) => {
    for (let i = 0; i < 200; i++) {
      const vm = (await server.api('GET', `/api/vms/${id}`)).body as { state: string };
      if (vm.state === state) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`VM ${id} did not become ${state}`);
  };
  /** The settings of a VM as a `PUT /api/vms/:id` body. */
  const settings = async (id: string) => {
    const vm = (await server.api('GET', `/api/vms/${id}`)).body as Record<string, unknown> & {
      disks: { image: string; bus: string }[];
    };
    const { name, memoryMiB, vcpus, nics, boot } = vm;
    return {
      name,
      memoryMiB,
      vcpus,
      nics,
      boot,
      disks: vm.disks.map(({ image, bus }) => ({ image, bus })),
    };
  };
  const vmNames = async () =>
    ((await server.api('GET', '/api/vms')).body as { name: string }[]).map((v) => v.name);

  beforeAll(async () => {
    token = (await server.makeToken('peer', 'peer')).token;

    const header = path.join(work, 'evil-header.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', HOST_FILE, '-F', 'raw', header, '64K');
    evilHeader = await fsp.readFile(header);
    const guestData = path.join(work, 'guest-data.raw');
    await fsp.writeFile(guestData, Buffer.concat([evilHeader, Buffer.alloc(MiB - evilHeader.length)]));
    const outer = path.join(work, 'outer.qcow2');
    qemuImg('convert', '-q', '-f', 'raw', '-O', 'qcow2', guestData, outer);
    hidden = await fsp.readFile(outer);
    hiddenRaw = await fsp.readFile(guestData);
    // The premise: the raw bytes read as a qcow2 backed by the host file, when probed.
    expect(qemuImg('info', '-U', guestData)).toContain(`backing file: ${HOST_FILE}`);
  });

  it("the issue's sequence (qcow2 in a qcow2's guest data, converted to raw, brought in as qcow2, started): qemu never opens /etc/hostname", async () => {
    // Upload: a clean qcow2, accepted.
    expect((await putUpload(server, 'outer.qcow2', hidden, hidden.length)).status).toBe(201);
    // Convert to raw: the result reads as the hostile qcow2, so it is refused and nothing is kept.
    const converted = await server.api('POST', '/api/images/outer.qcow2/convert', {
      target: 'conv.raw',
      format: 'raw',
    });
    expect(converted.status).toBe(409);
    expect(errorOf(converted.body)).toContain(`backing file ${HOST_FILE} is outside the images directory`);
    expect(await listDir()).toEqual(['outer.qcow2']);
    // The same bytes uploaded as raw are refused too.
    const uploaded = await putUpload(server, 'conv.raw', hiddenRaw, hiddenRaw.length);
    expect(uploaded.status).toBe(400);
    expect(await listDir()).toEqual(['outer.qcow2']);
    // Had the file reached the store another way, a peer's incoming migration saying "qcow2" is refused.
    await fsp.writeFile(inImages('conv.raw'), hiddenRaw);
    const res = await incoming({ image: 'conv.raw', format: 'qcow2', virtualSize: 65536 }, 'stolen');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorOf(res.body)).toContain(`backing file ${HOST_FILE} is outside the images directory`);
    expect(await vmNames()).not.toContain('stolen');
    // And a VM that has a qcow2 disk recorded whose file becomes those bytes does not start.
    await createImage('rec.qcow2', 'qcow2');
    const id = await createVm('recorded', ['rec.qcow2']);
    await fsp.writeFile(inImages('rec.qcow2'), hiddenRaw);
    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status).toBe(409);
    expect(errorOf(start.body)).toContain(`backing file ${HOST_FILE} is outside the images directory`);
    expect((await server.api('GET', `/api/vms/${id}`)).body).toMatchObject({ state: 'defined' });
    // qemu never opened /etc/hostname: no qemu ran at all.
    expect(await qemuPids()).toEqual([]);
    for (const name of ['conv.raw', 'rec.qcow2']) await fsp.rm(inImages(name));
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/outer.qcow2')).status).toBe(204);
  });

  it('upload: images that read outside files are refused (400) and nothing stays in images/', async () => {
    // A vmdk whose extent is the host file, and a qcow2 whose backing file is that vmdk (in the store).
    const vmdk = vmdkDescriptor(HOST_FILE, 1);
    await fsp.writeFile(inImages('ext.vmdk'), vmdk);
    const overVmdk = path.join(work, 'over-vmdk.qcow2');
    overlay(overVmdk, 'ext.vmdk', 'vmdk', '512');
    const json = `json:{"driver":"raw","file":{"driver":"file","filename":"${HOST_FILE}"}}`;
    const overJson = path.join(work, 'over-json.qcow2');
    overlay(overJson, json, 'raw', '1M');
    const overVvfat = path.join(work, 'over-vvfat.qcow2');
    overlay(overVvfat, 'ext.vmdk', 'vvfat', '1M');
    const cases: [string, Buffer, RegExp][] = [
      ['evil.qcow2', evilHeader, /backing file \/etc\/hostname is outside the images directory/],
      ['raw-header.img', hiddenRaw, /backing file \/etc\/hostname is outside the images directory/],
      ['over-vmdk.qcow2', await fsp.readFile(overVmdk), /\/etc\/hostname .*is outside the images directory/],
      ['over-json.qcow2', await fsp.readFile(overJson), /is not a file/],
      ['over-vvfat.qcow2', await fsp.readFile(overVvfat), /vvfat, which is not a disk image format/],
    ];
    for (const [name, bytes, why] of cases) {
      const res = await putUpload(server, name, bytes, bytes.length);
      expect(res.status, name).toBe(400);
      expect(errorOf(res.body), name).toMatch(why);
    }
    expect(await listDir()).toEqual(['ext.vmdk']);
    await fsp.rm(inImages('ext.vmdk'));
  });

  it('upload: a vmdk descriptor whose extent is missing is refused with 400 and leaves no file (was a 500 and a kept file)', async () => {
    const vmdk = vmdkDescriptor('missing.raw', 2048);
    const res = await putUpload(server, 'x.vmdk', Buffer.from(vmdk), vmdk.length);
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatch(/qemu-img cannot read it: .*missing\.raw/);
    expect(await listDir()).toEqual([]);
  });

  it('convert: an output with a problem is refused (409) and removed, the source is untouched', async () => {
    // Guest data that begin with a qcow2 header naming no backing file: a raw copy would read as qcow2.
    const plainHeader = path.join(work, 'plain-header.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', plainHeader, '64K');
    const header = await fsp.readFile(plainHeader);
    const guestData = path.join(work, 'plain-guest-data.raw');
    await fsp.writeFile(guestData, Buffer.concat([header, Buffer.alloc(MiB - header.length)]));
    const plainOuter = path.join(work, 'plain-outer.qcow2');
    qemuImg('convert', '-q', '-f', 'raw', '-O', 'qcow2', guestData, plainOuter);
    const plain = await fsp.readFile(plainOuter);
    expect((await putUpload(server, 'hidden.qcow2', hidden, hidden.length)).status).toBe(201);
    expect((await putUpload(server, 'plain.qcow2', plain, plain.length)).status).toBe(201);
    const before = await fsp.readFile(inImages('hidden.qcow2'));
    const cases: [string, RegExp][] = [
      [
        'hidden.qcow2',
        /reads as a qcow2 image: backing file \/etc\/hostname is outside the images directory/,
      ],
      ['plain.qcow2', /reads as a qcow2 image, not raw/],
    ];
    for (const [source, why] of cases) {
      const res = await server.api('POST', `/api/images/${source}/convert`, {
        target: 'out.raw',
        format: 'raw',
      });
      expect(res.status, source).toBe(409);
      expect(errorOf(res.body), source).toMatch(why);
      expect(errorOf(res.body), source).toMatch(/nothing was kept$/);
      expect(await listDir()).toEqual(['hidden.qcow2', 'plain.qcow2']);
    }
    expect((await fsp.readFile(inImages('hidden.qcow2'))).equals(before)).toBe(true);
    // Into a format with a header of its own the same data are safe.
    const asQcow2 = { target: 'copy.qcow2', format: 'qcow2' };
    const copy = await server.api('POST', '/api/images/hidden.qcow2/convert', asQcow2);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ name: 'copy.qcow2', format: 'qcow2', backingChain: [] });
    for (const name of ['hidden.qcow2', 'plain.qcow2', 'copy.qcow2']) {
      expect((await server.api('DELETE', `/api/images/${name}`)).status).toBe(204);
    }
  });

  it('incoming: the format a peer names for an existing disk is not used; the target detects it and refuses a mismatch', async () => {
    await createImage('moved.raw', 'raw');
    const asQcow2 = await incoming({ image: 'moved.raw', format: 'qcow2', virtualSize: MiB }, 'moved');
    expect(asQcow2.status).toBe(409);
    expect(errorOf(asQcow2.body)).toBe('moved.raw reads as raw here, the source opens it as qcow2');
    expect(await vmNames()).not.toContain('moved');
    const asRaw = await incoming({ image: 'moved.raw', format: 'raw', virtualSize: MiB }, 'moved');
    expect(asRaw.status, JSON.stringify(asRaw.body)).toBe(201);
    const { incomingId, vmId } = asRaw.body as { incomingId: string; vmId: string };
    const vm = (await server.api('GET', `/api/vms/${vmId}`)).body as { disks: { format?: string }[] };
    expect(vm.disks[0]?.format).toBe('raw');
    const abort = await fetch(`${server.url}/api/migrations/incoming/${incomingId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(abort.status).toBe(204);
    expect(await vmNames()).not.toContain('moved');
    expect((await server.api('DELETE', '/api/images/moved.raw')).status).toBe(204);
  });

  it('attach: an image whose chain leads outside is refused, on a stopped and on a running VM', async () => {
    // A qcow2 backed by a vmdk in the store whose extent is the host file.
    const vmdk = vmdkDescriptor(HOST_FILE, 1);
    await fsp.writeFile(inImages('ext.vmdk'), vmdk);
    overlay(inImages('nested.qcow2'), 'ext.vmdk', 'vmdk', '512');
    // A backing name through a symlink and "..": the kernel climbs from the link's target, not from the link.
    const elsewhere = path.join(work, 'elsewhere');
    await fsp.mkdir(path.join(elsewhere, 'sub'), { recursive: true });
    await fsp.writeFile(path.join(elsewhere, 'secret.raw'), Buffer.alloc(MiB, 5));
    await fsp.symlink(path.join(elsewhere, 'sub'), inImages('lnk'));
    await fsp.writeFile(inImages('secret.raw'), Buffer.alloc(MiB)); // the decoy where ".." looks like it leads
    overlay(inImages('dotdot.qcow2'), 'lnk/../secret.raw', 'raw', '1M');
    const hostile = ['nested.qcow2', 'dotdot.qcow2'];
    for (const name of hostile) {
      expect((await server.api('GET', `/api/images/${name}`)).body, name).toMatchObject({
        problem: expect.stringMatching(/is outside the images directory/) as unknown,
      });
    }
    const id = await createVm('attach', []);
    for (const name of hostile) {
      const res = await server.api('POST', `/api/vms/${id}/disks`, { image: name });
      expect(res.status, name).toBe(400);
      expect(errorOf(res.body), name).toMatch(/is outside the images directory/);
    }
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    for (const name of hostile) {
      const res = await server.api('POST', `/api/vms/${id}/disks`, { image: name });
      expect(res.status, name).toBe(400);
    }
    const vm = (await server.api('GET', `/api/vms/${id}`)).body as { disks: unknown[] };
    expect(vm.disks).toEqual([]);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await waitState(id, 'stopped');
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    for (const name of ['ext.vmdk', 'nested.qcow2', 'lnk', 'secret.raw', 'dotdot.qcow2'])
      await fsp.rm(inImages(name));
  });

  it('start: a recorded disk or CD swapped on disk behind the server is inspected again (409, no qemu); a raw disk holding a qcow2 header still starts raw', async () => {
    await createImage('sw.qcow2', 'qcow2');
    await createImage('sw.raw', 'raw');
    await createImage('cd.iso', 'raw');
    const id = await createVm('swapped', ['sw.qcow2', 'sw.raw']);
    expect(
      (await server.api('PUT', `/api/vms/${id}`, { ...(await settings(id)), cdrom: 'cd.iso' })).status,
    ).toBe(200);
    const original = await fsp.readFile(inImages('sw.qcow2'));
    const swaps: [string, () => Promise<void>, RegExp][] = [
      // The qcow2 disk becomes a qcow2 backed by the host file.
      [
        'sw.qcow2',
        () => fsp.writeFile(inImages('sw.qcow2'), evilHeader),
        /backing file \/etc\/hostname is outside/,
      ],
      // The raw disk becomes a link to the host file (qemu would open it raw: only the file itself counts).
      ['sw.raw', () => swapForLink('sw.raw'), /link to a place outside the images directory/],
      ['cd.iso', () => swapForLink('cd.iso'), /link to a place outside the images directory/],
    ];
    for (const [name, swap, why] of swaps) {
      const saved = await fsp.readFile(inImages(name));
      await swap();
      const res = await server.api('POST', `/api/vms/${id}/start`);
      expect(res.status, name).toBe(409);
      expect(errorOf(res.body), name).toMatch(why);
      expect(await qemuPids(), name).toEqual([]);
      await fsp.rm(inImages(name));
      await fsp.writeFile(inImages(name), saved);
    }
    expect((await fsp.readFile(inImages('sw.qcow2'))).equals(original)).toBe(true);
    // What the recorded format is for: the guest wrote a qcow2 header into its raw disk; it stays raw.
    await writeAsGuest('sw.raw', evilHeader);
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const proc = (await server.api('GET', `/api/vms/${id}/process`)).body as { cmdline: string[] };
    expect(proc.cmdline.find((a) => a.includes('"node-name":"disk1"'))).toContain('"driver":"raw"');
    expect(proc.cmdline.join(' ')).not.toContain(HOST_FILE);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await waitState(id, 'stopped');
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    for (const name of ['sw.qcow2', 'sw.raw', 'cd.iso']) await fsp.rm(inImages(name));
  });

  it('clone: a disk is read as its VM reads it (the recorded raw), never as the header its guest wrote', async () => {
    await createImage('guest.raw', 'raw');
    const id = await createVm('writer', ['guest.raw']);
    await writeAsGuest('guest.raw', evilHeader);
    const overlay = await server.api('POST', `/api/vms/${id}/clone`, {
      name: 'writer-ov',
      disks: [{ image: 'guest.raw', target: 'guest-ov.qcow2', mode: 'overlay' }],
    });
    expect(overlay.status, JSON.stringify(overlay.body)).toBe(201);
    expect(qemuImg('info', '-U', inImages('guest-ov.qcow2'))).toContain('backing file format: raw');
    // A full raw copy would read as the hostile qcow2 wherever the store detects formats: refused, not kept.
    const copy = await server.api('POST', `/api/vms/${id}/clone`, {
      name: 'writer-copy',
      disks: [{ image: 'guest.raw', target: 'guest-copy.raw', mode: 'copy' }],
    });
    expect(copy.status).toBe(409);
    expect(errorOf(copy.body)).toMatch(/backing file \/etc\/hostname is outside the images directory/);
    expect(await listDir()).toEqual(['guest-ov.qcow2', 'guest.raw']);
    expect(await vmNames()).not.toContain('writer-copy');
    const cloneId = ((await server.api('GET', '/api/vms')).body as { id: string; name: string }[]).find(
      (v) => v.name === 'writer-ov',
    )?.id;
    for (const vm of [cloneId, id])
      expect((await server.api('DELETE', `/api/vms/${vm ?? ''}`)).status).toBe(204);
    for (const name of ['guest-ov.qcow2', 'guest.raw']) await fsp.rm(inImages(name));
  });
});
