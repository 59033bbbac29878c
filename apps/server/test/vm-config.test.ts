import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiError, createGuest, imagesDirEntries, TestServer } from './harness.ts';
import { useServer } from './server-fixture.ts';

const run = promisify(execFile);

interface VmBody {
  id: string;
  name: string;
  state: string;
  os: string;
  memoryMiB: number;
  disks: { image: string; index: number; format?: string; bus: string }[];
  cdrom?: string;
  nics: unknown;
  topology: unknown;
  balloon: boolean;
  clock: string;
  firmware: string;
  pendingChanges?: string[];
}
interface CommandLineBody {
  argv: string[];
  text: string;
  accel: string;
  notes: string[];
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

// The wizard's and the Settings tab's API without booting guests: checks with field paths, the command line
// preview, new disks with rollback, settings of a stopped VM, clone and delete.
describe('VM configuration API', () => {
  const server = useServer({ withGuestIso: true, withGuestKernel: true });
  const { dataDir } = server;
  const imagesDir = path.join(dataDir, 'images');

  const image = async (name: string, format: 'qcow2' | 'raw', size: string) => {
    const res = await server.api('POST', '/api/images', { name, format, size });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  const vmNames = async () => ((await server.api('GET', '/api/vms')).body as VmBody[]).map((v) => v.name);
  const imageNames = () => imagesDirEntries(imagesDir);

  beforeAll(async () => {
    for (const name of ['root.qcow2', 'other.qcow2', 'i1.qcow2', 'i2.qcow2', 'i3.qcow2', 'i4.qcow2'])
      await image(name, 'qcow2', '16M');
    await createGuest(server, 'other', {
      disks: [{ image: 'other.qcow2' }],
      nics: [{ mode: 'user', mac: '52:54:00:0A:0B:0C' }],
    });
  });

  it('reports bridges, taps and OVMF in /api/host', async () => {
    const host = (await server.api('GET', '/api/host')).body as {
      network: { bridges: string[]; taps: string[] };
      firmware: { uefi: boolean; secureBoot: boolean };
    };
    const sys = await fs.readdir('/sys/class/net');
    const bridges = [];
    for (const n of sys) if (await exists(`/sys/class/net/${n}/bridge`)) bridges.push(n);
    expect(host.network.bridges.sort()).toEqual(bridges.sort());
    expect(Array.isArray(host.network.taps)).toBe(true);
    expect(host.firmware.uefi).toBe(
      (await exists('/usr/share/OVMF/OVMF_CODE_4M.fd')) || (await exists('/usr/share/OVMF/OVMF_CODE.fd')),
    );
  });

  it('answers each problem at its field path, 400 for bad requests and 409 for clashes', async () => {
    const before = await imageNames();
    const base = { name: 'x', memoryMiB: 256, vcpus: 1, cdrom: 'tinylinux.iso' };
    const ide = (n: number) => [1, 2, 3, 4].slice(0, n).map((i) => ({ image: `i${i}.qcow2`, bus: 'ide' }));
    const cases: [string, Record<string, unknown>, number, string, RegExp][] = [
      ['memory', { memoryMiB: 10_000_000 }, 400, 'memoryMiB', /at most \d+ MiB/],
      ['vcpus', { vcpus: 64 }, 400, 'vcpus', /at most \d/],
      ['missing disk', { disks: [{ image: 'nope.qcow2' }] }, 400, 'disks.0.image', /no such image/],
      ['missing CD', { cdrom: 'nope.iso' }, 400, 'cdrom', /no such image/],
      ['CD not raw', { cdrom: 'root.qcow2' }, 400, 'cdrom', /not a CD image/],
      ['not a kernel', { kernel: { kernel: 'tinylinux.iso' } }, 400, 'kernel.kernel', /not a Linux kernel/],
      [
        'initrd is a disk',
        { kernel: { kernel: 'tinylinux.vmlinuz', initrd: 'root.qcow2' } },
        400,
        'kernel.initrd',
        /qcow2 file, not an initramfs/,
      ],
      ['kernel boot without kernel', { boot: 'kernel' }, 400, 'kernel', /needs a kernel/],
      ['4 IDE disks on pc', { machine: 'pc', disks: ide(4) }, 400, 'disks.3.bus', /3 IDE ports/],
      ['IDE on q35', { disks: ide(1) }, 400, 'disks.0.bus', /the q35 machine has no IDE controller/],
      [
        'read-only SATA',
        { disks: [{ image: 'i1.qcow2', bus: 'sata', readOnly: true }] },
        400,
        'disks.0.readOnly',
        /SATA disk cannot be read-only/,
      ],
      [
        'bad cache mode',
        { disks: [{ image: 'i1.qcow2', cache: 'fast' }] },
        400,
        'disks.0.cache',
        /writeback/,
      ],
      ['no such bridge', { nics: [{ mode: 'bridge', bridge: 'nobr0' }] }, 400, 'nics.0.bridge', /nobr0/],
      [
        'no such tap',
        { nics: [{ mode: 'user' }, { mode: 'tap', tap: 'notap0' }] },
        400,
        'nics.1.tap',
        /notap0/,
      ],
      [
        'host port twice',
        {
          nics: [
            {
              mode: 'user',
              portForwards: [
                { hostPort: 2222, guestPort: 22 },
                { hostPort: 2222, guestPort: 80, hostAddress: '0.0.0.0' },
              ],
            },
          ],
        },
        400,
        'nics.0.portForwards.1.hostPort',
        /already forwarded/,
      ],
      [
        'port forwards on two NICs',
        {
          nics: [
            { mode: 'user', portForwards: [{ hostPort: 2222, guestPort: 22 }] },
            { mode: 'user', portForwards: [{ hostPort: 2223, guestPort: 22 }] },
          ],
        },
        400,
        'nics.1.portForwards',
        /only one user-mode NIC can have port forwards/,
      ],
      [
        'malformed MAC',
        { nics: [{ mode: 'user', mac: '52:54:00:0a:0b' }] },
        400,
        'nics.0.mac',
        /six hex octets/,
      ],
      [
        'multicast MAC',
        { nics: [{ mode: 'user', mac: '01:00:5e:00:00:01' }] },
        400,
        'nics.0.mac',
        /multicast/,
      ],
      ['all-zero MAC', { nics: [{ mode: 'user', mac: '00:00:00:00:00:00' }] }, 400, 'nics.0.mac', /all-zero/],
      [
        'one MAC twice',
        {
          nics: [
            { mode: 'user', mac: '52:54:00:00:00:01' },
            { mode: 'user', mac: '52:54:00:00:00:01' },
          ],
        },
        400,
        'nics.1.mac',
        /two NICs with MAC/,
      ],
      [
        'one slot twice',
        {
          nics: [
            { mode: 'user', slot: 2 },
            { mode: 'user', slot: 2 },
          ],
        },
        400,
        'nics.1.slot',
        /slot 2/,
      ],
      [
        'nine NICs',
        { nics: Array.from({ length: 9 }, () => ({ mode: 'user' })) },
        400,
        'nics',
        /at most 8 NICs/,
      ],
      [
        'bad network name',
        { nics: [{ mode: 'network', network: 'Bad_Net' }] },
        400,
        'nics.0.network',
        /network name/,
      ],
      // Any case in, the other guest's (lowercase) MAC: a clash, named by the guest's name.
      [
        'MAC of another guest',
        { nics: [{ mode: 'user', mac: '52:54:00:0a:0b:0C' }] },
        409,
        'nics.0.mac',
        /in use by the guest other/,
      ],
      ['boot disk without disk', { boot: 'disk' }, 400, 'boot', /without a disk/],
      [
        'boot CD without CD',
        { cdrom: undefined, disks: [{ image: 'root.qcow2' }], boot: 'cdrom' },
        400,
        'boot',
        /without a CD image/,
      ],
      ['Secure Boot on pc', { machine: 'pc', firmware: 'uefi-secure' }, 400, 'firmware', /q35/],
      ['topology', { vcpus: 2, topology: { sockets: 1, cores: 1, threads: 1 } }, 400, 'topology', /not 2/],
      ['name taken', { name: 'other' }, 409, 'name', /already exists/],
      ['disk of another VM', { disks: [{ image: 'other.qcow2' }] }, 409, 'disks.0.image', /used by VM other/],
      [
        'new disk name taken',
        { disks: [{ image: 'root.qcow2', create: { sizeBytes: '1G' } }] },
        409,
        'disks.0.image',
        /already exists/,
      ],
    ];
    for (const [what, patch, status, field, message] of cases) {
      for (const route of ['/api/vms', '/api/vms/preview']) {
        const res = await server.api('POST', route, { ...base, ...patch });
        expect(res.status, `${what} ${route}: ${JSON.stringify(res.body)}`).toBe(status);
        const detail = apiError(res.body).details?.find((d) => d.path === field);
        expect(detail?.message, `${what}: ${JSON.stringify(res.body)}`).toMatch(message);
      }
    }
    expect(await vmNames()).toEqual(['other']);
    expect(await imageNames()).toEqual(before);
  });

  it('refuses UEFI when OVMF is missing, saying what to install', async () => {
    const noOvmf = await new TestServer(dataDir, server.password, {
      VIRTWEB_OVMF_DIR: path.join(dataDir, 'no-ovmf-here'),
    }).start();
    try {
      await noOvmf.login();
      const host = (await noOvmf.api('GET', '/api/host')).body as { firmware: unknown };
      expect(host.firmware).toEqual({ uefi: false, secureBoot: false });
      const res = await noOvmf.api('POST', '/api/vms', {
        name: 'efi',
        memoryMiB: 256,
        vcpus: 1,
        firmware: 'uefi',
      });
      expect(res.status).toBe(400);
      expect(apiError(res.body).details).toEqual([
        { path: 'firmware', message: expect.stringMatching(/install Debian's ovmf/) as string },
      ]);
    } finally {
      await noOvmf.stop();
    }
  });

  it('previews the exact command line, with placeholders for what does not exist yet', async () => {
    const res = await server.api('POST', '/api/vms/preview', {
      name: 'pv',
      memoryMiB: 512,
      vcpus: 2,
      cdrom: 'tinylinux.iso',
      disks: [{ image: 'new.qcow2', create: { format: 'qcow2', sizeBytes: '1G' } }],
      nics: [{ mode: 'user', portForwards: [{ hostPort: 2222, guestPort: 22 }] }],
      firmware: 'uefi',
      noKernelIrqchip: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const cl = res.body as CommandLineBody;
    const after = (flag: string) => cl.argv.filter((_, i) => cl.argv[i - 1] === flag);
    expect(cl.argv[0]).toBe('qemu-system-x86_64');
    expect(after('-smp')).toEqual(['2,sockets=1,cores=2,threads=1']);
    expect(after('-m')).toEqual(['512']);
    expect(after('-accel')).toEqual(['tcg']);
    expect(cl.accel).toBe('tcg');
    expect(after('-netdev')).toEqual(['user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22']);
    expect(after('-device').some((d) => d.startsWith('virtio-net-pci,'))).toBe(true);
    expect(after('-device')).toContain('virtio-balloon-pci,id=balloon0');
    const pflash = after('-drive').filter((d) => d.startsWith('if=pflash'));
    expect(pflash).toHaveLength(2);
    expect(pflash[0]).toMatch(/readonly=on,file=\/.*OVMF_CODE/);
    expect(pflash[1]).toContain('file=<nvram>/<new-vm-id>_VARS.fd');
    expect(after('-pidfile')).toEqual(['<run>/<new-vm-id>/qemu.pid']);
    expect(cl.argv.join(' ')).not.toContain(dataDir + '/run');
    const blockdevs = after('-blockdev').map((b) => JSON.parse(b) as Record<string, string>);
    expect(blockdevs).toContainEqual({
      driver: 'file',
      filename: path.join(imagesDir, 'new.qcow2'),
      'node-name': 'disk0-file',
    });
    expect(blockdevs).toContainEqual({ driver: 'qcow2', file: 'disk0-file', 'node-name': 'disk0' });
    expect(cl.argv.join(' ')).not.toContain('kernel-irqchip');
    expect(cl.notes.join('\n')).toMatch(/no kernel irqchip" is ignored/);
    expect(cl.text.startsWith('qemu-system-x86_64 -name ')).toBe(true);
    expect(cl.text).toContain(`'{"driver":"qcow2","file":"disk0-file","node-name":"disk0"}'`);
    expect(await exists(path.join(imagesDir, 'new.qcow2'))).toBe(false);
    expect(await vmNames()).toEqual(['other']);

    const secure = (
      await server.api('POST', '/api/vms/preview', {
        name: 'sb',
        memoryMiB: 512,
        vcpus: 1,
        firmware: 'uefi-secure',
      })
    ).body as CommandLineBody;
    const secureArgs = secure.argv.join(' ');
    expect(secureArgs).toContain('-machine q35,smm=on ');
    expect(secureArgs).toMatch(/if=pflash,format=raw,unit=0,readonly=on,file=\/\S*secboot/);
    expect(secureArgs).toContain('-global driver=cfi.pflash01,property=secure,value=on');
    expect(secure.notes.join('\n')).toMatch(/made from \S*\.ms\.fd/);

    const win = (
      await server.api('POST', '/api/vms/preview', {
        name: 'win',
        os: 'windows',
        memoryMiB: 512,
        vcpus: 1,
        cdrom: 'tinylinux.iso',
        disks: [{ image: 'root.qcow2' }],
      })
    ).body as CommandLineBody;
    const winDevices = win.argv.filter((_, i) => win.argv[i - 1] === '-device');
    expect(winDevices.some((d) => d.startsWith('ide-hd,drive=disk0,'))).toBe(true);
    expect(winDevices.some((d) => d.startsWith('e1000,'))).toBe(true);
    expect(winDevices.some((d) => d.startsWith('virtio-balloon'))).toBe(false);
    expect(win.argv.join(' ')).toContain('-rtc base=localtime');
  });

  it('creates a VM with a new disk; a failing later disk takes the earlier new one with it', async () => {
    // A raw image of 16 TiB exceeds ext4's largest file: qemu-img refuses it after the checks passed.
    const probe = await server.api('POST', '/api/images', { name: 'probe.raw', format: 'raw', size: '16T' });
    if (probe.status === 201) await server.api('DELETE', '/api/images/probe.raw');
    else {
      const failed = await server.api('POST', '/api/vms', {
        name: 'newdisk',
        memoryMiB: 256,
        vcpus: 1,
        cdrom: 'tinylinux.iso',
        disks: [
          { image: 'made.qcow2', create: { format: 'qcow2', sizeBytes: '64M' } },
          { image: 'huge.raw', create: { format: 'raw', sizeBytes: '16T' } },
        ],
      });
      expect(failed.status, JSON.stringify(failed.body)).toBe(400);
      expect(apiError(failed.body).details?.[0]?.path).toBe('disks.1.image');
      expect(await exists(path.join(imagesDir, 'made.qcow2'))).toBe(false);
      expect(await exists(path.join(imagesDir, 'huge.raw'))).toBe(false);
      expect((await imagesDirEntries(imagesDir)).filter((f) => f.startsWith('.'))).toEqual([]);
      expect(await vmNames()).toEqual(['other']);
    }

    const vm = await createGuest<VmBody>(server, 'newdisk', {
      disks: [{ image: 'made.qcow2', create: { format: 'qcow2', sizeBytes: '64M' } }],
      nics: [{ mode: 'user' }],
    });
    expect(vm).toMatchObject({
      os: 'linux',
      disks: [{ image: 'made.qcow2', index: 0, format: 'qcow2', bus: 'virtio' }],
      nics: [
        {
          mode: 'user',
          model: 'virtio',
          portForwards: [],
          slot: 0,
          linkUp: true,
          mac: expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/) as string,
        },
      ],
      topology: { sockets: 1, cores: 1, threads: 1 },
      balloon: true,
      clock: 'utc',
      firmware: 'bios',
      boot: 'cdrom',
    });
    const info = JSON.parse(
      (await run('qemu-img', ['info', '--output=json', path.join(imagesDir, 'made.qcow2')])).stdout,
    ) as {
      format: string;
      'virtual-size': number;
    };
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': 64 * 2 ** 20 });
    const cl = (await server.api('GET', `/api/vms/${vm.id}/command-line`)).body as CommandLineBody;
    expect(cl.argv).toContain(path.join(dataDir, 'run', vm.id, 'qemu.pid'));
    expect(cl.argv).toContain('-S');
  });

  it('stores new settings of a stopped VM: rename, memory, bus, disks added and reordered', async () => {
    const vm = await createGuest<VmBody>(server, 'edit', { disks: [{ image: 'i1.qcow2' }] });
    const put = (body: Record<string, unknown>) =>
      server.api('PUT', `/api/vms/${vm.id}`, {
        name: 'edit',
        memoryMiB: 256,
        vcpus: 1,
        cdrom: 'tinylinux.iso',
        disks: [{ image: 'i1.qcow2' }],
        ...body,
      });
    const res = await put({
      name: 'edited',
      memoryMiB: 384,
      os: 'other',
      disks: [{ image: 'i2.qcow2' }, { image: 'i1.qcow2', bus: 'sata' }],
      boot: 'disk',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: 'edited',
      memoryMiB: 384,
      os: 'other',
      boot: 'disk',
      disks: [
        { image: 'i2.qcow2', index: 1, format: 'qcow2', bus: 'sata' },
        { image: 'i1.qcow2', index: 0, format: 'qcow2', bus: 'sata' },
      ],
      nics: [{ mode: 'user', model: 'e1000' }],
      balloon: false,
    });
    expect((res.body as VmBody).pendingChanges).toBeUndefined();
    const taken = await put({ name: 'other' });
    expect(taken.status).toBe(409);
    expect(apiError(taken.body)).toMatchObject({ code: 'already_exists', details: [{ path: 'name' }] });
    const used = await put({ name: 'edited', disks: [{ image: 'other.qcow2' }] });
    expect(used.status).toBe(409);
    expect(apiError(used.body).details?.[0]?.path).toBe('disks.0.image');
    expect(((await server.api('GET', `/api/vms/${vm.id}`)).body as VmBody).name).toBe('edited');
  });

  it('clones by copy and by overlay, and keeps the source from writing under the overlay', async () => {
    await image('a.qcow2', 'qcow2', '16M');
    await image('b.raw', 'raw', '8M');
    const src = await createGuest<VmBody>(server, 'src', {
      disks: [{ image: 'a.qcow2' }, { image: 'b.raw', bus: 'sata' }],
    });
    const clone = (body: Record<string, unknown>) => server.api('POST', `/api/vms/${src.id}/clone`, body);
    const bad: [Record<string, unknown>, number, string][] = [
      [{ name: 'c', disks: [{ image: 'a.qcow2', mode: 'copy', target: 'a2.qcow2' }] }, 400, 'disks'],
      [
        {
          name: 'c',
          disks: [
            { image: 'a.qcow2', mode: 'copy', target: 'root.qcow2' },
            { image: 'b.raw', mode: 'copy', target: 'b2.raw' },
          ],
        },
        409,
        'disks.0.target',
      ],
      [
        {
          name: 'c',
          disks: [
            { image: 'a.qcow2', mode: 'copy', target: 'a2.qcow2' },
            { image: 'other.qcow2', mode: 'copy', target: 'b2.raw' },
          ],
        },
        400,
        'disks.1.image',
      ],
      [{ name: 'other', disks: [] }, 400, 'name'],
    ];
    for (const [body, status, field] of bad) {
      const res = await clone(body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(apiError(res.body).details?.map((d) => d.path)).toContain(field);
    }
    const res = await clone({
      name: 'src-clone',
      disks: [
        { image: 'b.raw', mode: 'overlay', target: 'b-over.qcow2' },
        { image: 'a.qcow2', mode: 'copy', target: 'a-copy.qcow2' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: 'src-clone',
      cdrom: 'tinylinux.iso',
      disks: [
        { image: 'a-copy.qcow2', index: 0, format: 'qcow2', bus: 'virtio' },
        { image: 'b-over.qcow2', index: 1, format: 'qcow2', bus: 'sata' },
      ],
    });
    const info = async (name: string) =>
      JSON.parse(
        (await run('qemu-img', ['info', '--output=json', path.join(imagesDir, name)])).stdout,
      ) as Record<string, unknown>;
    expect(await info('b-over.qcow2')).toMatchObject({
      format: 'qcow2',
      'backing-filename': 'b.raw',
      'backing-filename-format': 'raw',
      'virtual-size': 8 * 2 ** 20,
    });
    const copy = await info('a-copy.qcow2');
    expect(copy).toMatchObject({ format: 'qcow2', 'virtual-size': 16 * 2 ** 20 });
    expect(copy['backing-filename']).toBeUndefined();

    // Writing to b.raw would corrupt the overlay: the source does not start now (and no qemu runs).
    const start = await server.api('POST', `/api/vms/${src.id}/start`);
    expect(start.status).toBe(409);
    expect(apiError(start.body).details).toContainEqual({
      path: 'disks.1.image',
      message: expect.stringMatching(/backing file of b-over.qcow2/) as string,
    });
    expect(((await server.api('GET', `/api/vms/${src.id}`)).body as VmBody).state).toBe('defined');
  });

  it('deletes a VM and exactly the images chosen, refusing images others need', async () => {
    await image('keep.qcow2', 'qcow2', '8M');
    await image('drop.qcow2', 'qcow2', '8M');
    const vm = await createGuest<VmBody>(server, 'del', {
      disks: [{ image: 'keep.qcow2' }, { image: 'drop.qcow2' }],
    });
    const del = (deleteImages: string[]) => server.api('DELETE', `/api/vms/${vm.id}`, { deleteImages });
    const notOwn = await del(['other.qcow2']);
    expect(notOwn.status).toBe(400);
    expect(apiError(notOwn.body).details).toEqual([
      { path: 'deleteImages.0', message: 'other.qcow2 is not an image of VM del' },
    ]);
    const shared = await del(['drop.qcow2', 'tinylinux.iso']);
    expect(shared.status).toBe(409);
    expect(apiError(shared.body)).toMatchObject({ code: 'in_use', details: [{ path: 'deleteImages.1' }] });
    expect(apiError(shared.body).details?.[0]?.message).toMatch(/also used by VM .*other/);
    expect(await exists(path.join(imagesDir, 'drop.qcow2'))).toBe(true);

    const srcId = ((await server.api('GET', '/api/vms')).body as VmBody[]).find((v) => v.name === 'src')?.id;
    const backing = await server.api('DELETE', `/api/vms/${srcId}`, { deleteImages: ['b.raw'] });
    expect(backing.status).toBe(409);
    expect(apiError(backing.body).details?.[0]?.message).toMatch(/backing file of b-over.qcow2/);

    expect((await del(['drop.qcow2'])).status).toBe(204);
    expect((await server.api('GET', `/api/vms/${vm.id}`)).status).toBe(404);
    expect(await exists(path.join(imagesDir, 'drop.qcow2'))).toBe(false);
    expect(await exists(path.join(imagesDir, 'keep.qcow2'))).toBe(true);
    expect(await exists(path.join(imagesDir, 'tinylinux.iso'))).toBe(true);
  });
});
