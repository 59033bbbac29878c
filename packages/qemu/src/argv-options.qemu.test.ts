// The golden files pin the argv of the wizard's options; this proves qemu 7.2 (TCG, paused with -S) accepts
// each one and that it took effect: IDE/SATA disks where ideDiskPositions says, e1000, balloon, port forwards,
// RTC base, vCPU topology, direct kernel boot, OVMF pflash (+ Secure Boot SMM), tap, bridge, kernel-irqchip,
// a TPM 2.0 on a swtpm (tpm-crb on q35, tpm-tis on pc).
import { execFileSync, spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildArgv, diskIds, ideDiskPositions } from './argv.ts';
import { usbHostProps } from './argv-usb.ts';
import { createVarsFile, findOvmf } from './firmware.ts';
import { createImage } from './qemu-img.ts';
import { runtimePaths, type VmSpec } from './spec.ts';
import type { QemuProcess } from './supervisor/process.ts';
import { startQemu } from './supervisor/start.ts';
import { QEMU, Sandbox, busesInQtree } from './supervisor/test-support.ts';

const sandbox = new Sandbox();
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0)) undo();
  await sandbox.cleanup();
});

const REPO = join(import.meta.dirname, '..', '..', '..');
const VMLINUZ = join(REPO, '.cache', 'tinylinux.vmlinuz');
const INITRD = join(REPO, '.cache', 'tinylinux.initrd');
const ovmf = await findOvmf();
const kvmUsable = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
  () => true,
  () => false,
);

const BASE: VmSpec = { name: 'opts', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };

/** A dir whose name has a comma, so every path-carrying option is exercised. */
async function commaDir(): Promise<string> {
  const dir = join(await sandbox.dir(), 'a,b');
  await mkdir(dir);
  return dir;
}

async function start(spec: VmSpec, argvEdit: (argv: string[]) => string[] = (a) => a): Promise<QemuProcess> {
  const paths = runtimePaths(join(await sandbox.dir(), 'run'));
  const proc = await startQemu({
    binary: QEMU,
    argv: argvEdit(buildArgv(spec, paths, { startPaused: true })),
    paths,
  });
  sandbox.track(proc.pid);
  sandbox.procs.push(proc);
  return proc;
}

const hmp = (proc: QemuProcess, cmd: string) =>
  proc.qmp.execute('human-monitor-command', { 'command-line': cmd });
const qomGet = (proc: QemuProcess, path: string, property: string) =>
  proc.qmp.executeUnknown('qom-get', { path, property });

/** `info qtree` as device id -> the bus it sits on. */
const busOfDevices = async (proc: QemuProcess) => busesInQtree(await hmp(proc, 'info qtree'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe.each<'q35' | 'pc'>(['q35', 'pc'])('%s accepts', (machine) => {
  it('IDE (pc) / SATA (q35) disks at the free positions, e1000 with port forwards, balloon, localtime, topology', async () => {
    const dir = await commaDir();
    const n = machine === 'q35' ? 5 : 3;
    const bus: 'sata' | 'ide' = machine === 'q35' ? 'sata' : 'ide';
    const disks = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const path = join(dir, `d,${i}.qcow2`);
        await createImage({ path, format: 'qcow2', sizeBytes: 1 << 20 });
        // Slots in reverse list order: positions follow the slot index.
        return { path, format: 'qcow2', index: n - 1 - i, bus };
      }),
    );
    const port = await freePort();
    const spec: VmSpec = {
      ...BASE,
      machine,
      vcpus: 4,
      topology: { sockets: 2, cores: 1, threads: 2 },
      disks,
      cdrom: join(dir, 'cd.iso'),
      nics: [
        {
          slot: 0,
          mode: 'user',
          model: 'e1000',
          mac: '52:54:00:01:02:03',
          portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: port, guestPort: 22 }],
        },
        { slot: 3, mode: 'user', model: 'rtl8139', portForwards: [] },
      ],
      balloon: true,
      clock: 'localtime',
    };
    await writeFile(spec.cdrom ?? '', Buffer.alloc(1 << 20));
    // UTC+5 (POSIX sign): localtime must differ from UTC by 5 hours in the guest's RTC.
    const tz = process.env.TZ;
    process.env.TZ = 'Etc/GMT-5';
    cleanups.push(() => (tz === undefined ? delete process.env.TZ : (process.env.TZ = tz)));
    const proc = await start(spec);

    const buses = await busOfDevices(proc);
    const positions = ideDiskPositions(machine);
    for (let slot = 0; slot < n; slot++)
      expect(buses.get(diskIds(slot, bus).device)).toBe(positions[slot]?.bus);
    for (let slot = 0; slot < n; slot++) {
      const unit = await qomGet(proc, `/machine/peripheral/${diskIds(slot, bus).device}`, 'unit');
      expect(unit).toBe(positions[slot]?.unit);
    }
    expect(buses.get('cd0')).toBe('ide.1');
    expect(buses.get('net0-nic')).toBe(machine === 'q35' ? 'net0-port' : 'pci.0');
    expect(buses.get('net3-nic')).toBe(machine === 'q35' ? 'net3-port' : 'pci.0');
    const blocks = await proc.qmp.execute('query-block');
    expect(
      blocks
        .filter((b) => b.qdev?.startsWith(`${bus}-disk`))
        .map((b) => b.inserted?.file)
        .sort(),
    ).toEqual(disks.map((d) => d.path).sort());

    expect(await qomGet(proc, '/machine/peripheral/net0-nic', 'type')).toBe('e1000');
    expect(await qomGet(proc, '/machine/peripheral/net0-nic', 'mac')).toBe('52:54:00:01:02:03');
    expect(await qomGet(proc, '/machine/peripheral/net3-nic', 'type')).toBe('rtl8139');
    expect(await qomGet(proc, '/machine/peripheral/balloon0', 'type')).toBe('virtio-balloon-pci');
    expect(await proc.qmp.execute('query-balloon')).toEqual({ actual: 64 << 20 });
    // The forward listens on the host already (slirp accepts, then connects to the paused guest).
    expect(await hmp(proc, 'info usernet')).toMatch(
      new RegExp(`TCP\\[HOST_FORWARD\\]\\s+\\d+\\s+127\\.0\\.0\\.1\\s+${port}\\s+10\\.0\\.2\\.15\\s+22`),
    );
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      }).on('error', reject);
    });

    const rtc = (await qomGet(proc, '/machine', 'rtc-time')) as { tm_hour: number };
    expect(rtc.tm_hour).toBe((new Date().getUTCHours() + 5) % 24);

    const cpus = await proc.qmp.execute('query-cpus-fast');
    expect(cpus.map((c) => [c.props?.['socket-id'], c.props?.['core-id'], c.props?.['thread-id']])).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [1, 0, 0],
      [1, 0, 1],
    ]);
    // NOTE: TCG's `max` CPU is AMD-flavoured without topoext (TCG cannot emulate it), so qemu 7.2 warns about
    // threads > 1; harmless (the guest still gets 2 sockets × 2 vCPUs), and the only thing in the log.
    expect(await proc.stop({ from: 'quit' })).toMatchObject({
      kind: 'clean',
      logTail:
        "qemu-system-x86_64: warning: This family of AMD CPU doesn't support hyperthreading(2)\n" +
        'Please configure -smp options properly or try enabling topoext feature.',
    });
  });

  it('direct kernel boot: kernel, initrd and cmdline verbatim (commas too), disks from bootindex 1', async () => {
    if (!existsSync(VMLINUZ) || !existsSync(INITRD)) throw new Error(`${VMLINUZ} missing: run scripts/setup`);
    const dir = await commaDir();
    const kernel = {
      path: join(dir, 'vm,linuz'),
      initrd: join(dir, 'init,rd'),
      cmdline: 'console=ttyS0,115200 x=a,b',
    };
    await copyFile(VMLINUZ, kernel.path);
    await copyFile(INITRD, kernel.initrd);
    const disk = join(dir, 'd.qcow2');
    await createImage({ path: disk, format: 'qcow2', sizeBytes: 1 << 20 });
    const proc = await start({
      ...BASE,
      machine,
      boot: 'kernel',
      kernel,
      disks: [{ path: disk, format: 'qcow2' }],
    });
    expect(await qomGet(proc, '/machine', 'kernel')).toBe(kernel.path);
    expect(await qomGet(proc, '/machine', 'initrd')).toBe(kernel.initrd);
    expect(await qomGet(proc, '/machine', 'append')).toBe(kernel.cmdline);
    expect(await qomGet(proc, '/machine/peripheral/virtio-disk0', 'bootindex')).toBe(1);
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean', logTail: '' });
  });
});

describe('OVMF pflash', () => {
  it.skipIf(!ovmf.uefi.found).each<'q35' | 'pc'>(['q35', 'pc'])(
    '%s: UEFI code read-only, vars writable',
    async (machine) => {
      if (!ovmf.uefi.found) return;
      const vars = join(await commaDir(), 'VARS.fd');
      await createVarsFile(ovmf.uefi.varsTemplate, vars);
      const proc = await start({
        ...BASE,
        machine,
        firmware: { kind: 'uefi', code: ovmf.uefi.code, vars, secure: false },
      });
      const blocks = await proc.qmp.execute('query-block');
      const flash = (d: string) => blocks.find((b) => b.device === d)?.inserted;
      expect(flash('pflash0')).toMatchObject({ file: ovmf.uefi.code, ro: true });
      expect(flash('pflash1')).toMatchObject({ file: vars, ro: false });
      expect(await qomGet(proc, '/machine/system.flash0', 'secure')).toBe(false);
      expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean', logTail: '' });
    },
  );

  it.skipIf(!ovmf.secure.found)('q35: Secure Boot turns on SMM and secure pflash', async () => {
    if (!ovmf.secure.found) return;
    const vars = join(await commaDir(), 'VARS.fd');
    await createVarsFile(ovmf.secure.varsTemplate, vars);
    const proc = await start({
      ...BASE,
      firmware: { kind: 'uefi', code: ovmf.secure.code, vars, secure: true },
    });
    expect(await qomGet(proc, '/machine', 'smm')).toBe('on');
    expect(await qomGet(proc, '/machine/system.flash0', 'secure')).toBe(true);
    expect(await qomGet(proc, '/machine/system.flash1', 'secure')).toBe(true);
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean', logTail: '' });
  });
});

/** Creates a host interface with `ip`; null (and the reason) when this host does not let us. */
function addLink(name: string, args: string[]): string | null {
  try {
    execFileSync('ip', [...args], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create ${name} (needs root or CAP_NET_ADMIN): ${(err as Error).message}`;
  }
  cleanups.push(() => execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' }));
  return null;
}

const ifname = (prefix: string) => `${prefix}${process.pid % 100000}`;

describe('host network backends', () => {
  it('tap: attaches to an existing tap device, no scripts', async (ctx) => {
    const tap = ifname('vwtap');
    const why = addLink(tap, ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    if (why !== null) ctx.skip(why);
    const proc = await start({
      ...BASE,
      machine: 'pc',
      nics: [{ slot: 0, mode: 'tap', model: 'e1000', tap }],
    });
    expect(await hmp(proc, 'info network')).toMatch(
      new RegExp(`net0: index=0,type=tap,ifname=${tap},script=no,downscript=no`),
    );
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean', logTail: '' });
  });

  it('bridge: attaches to the tap the caller put on the bridge, no helper, no scripts', async (ctx) => {
    const br = ifname('vwbr');
    const tap = ifname('vwbt');
    const why =
      addLink(br, ['link', 'add', br, 'type', 'bridge']) ??
      addLink(tap, ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    if (why !== null) ctx.skip(why);
    execFileSync('ip', ['link', 'set', 'dev', tap, 'master', br, 'up'], { stdio: 'pipe' });
    const proc = await start({ ...BASE, nics: [{ slot: 0, mode: 'tap', model: 'virtio', tap }] });
    expect(await hmp(proc, 'info network')).toMatch(
      new RegExp(`net0: index=0,type=tap,ifname=${tap},script=no,downscript=no`),
    );
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean', logTail: '' });
  });
});

// NOTE: on the nested-KVM dev hosts `-cpu host` aborts at vCPU setup (see argv.qemu.test.ts), so this test
// swaps in qemu64 to see kernel-irqchip=off take effect: the IOAPIC is qemu's userspace model, not KVM's.
it.skipIf(!kvmUsable)('kvm: -machine kernel-irqchip=off gives a userspace IOAPIC', async () => {
  const spec: VmSpec = { ...BASE, accel: 'kvm', noKernelIrqchip: true };
  const withQemu64 = (argv: string[]) => argv.map((a, i) => (argv[i - 1] === '-cpu' ? 'qemu64' : a));
  const proc = await start(spec, withQemu64);
  expect((await proc.qmp.execute('query-kvm')).enabled).toBe(true);
  const qtree = await hmp(proc, 'info qtree');
  expect(qtree).toMatch(/dev: ioapic,/);
  expect(qtree).not.toMatch(/dev: kvm-ioapic,/);
  const exit = await proc.stop({ from: 'quit' });
  expect(exit).toMatchObject({ kind: 'clean' });
  // qemu 7.2 says so on stderr (qemu.log): worth showing the user next to the switch.
  expect(await readFile(proc.paths.log, 'utf8')).toContain('Userspace local APIC is deprecated for KVM');
});

describe('devices', () => {
  const devices = (video: NonNullable<VmSpec['devices']>['video']): NonNullable<VmSpec['devices']> => ({
    video,
    sound: 'hda',
    rng: true,
    watchdog: { model: 'i6300esb', action: 'poweroff' },
  });

  it.each([
    ['vga', 64, /dev: VGA, id ""[\s\S]*?vgamem_mb = 64/],
    ['virtio', 128, /dev: virtio-vga, id ""[\s\S]*?max_hostmem = 134217728 \(128 MiB\)/],
    ['bochs', 32, /dev: bochs-display, id ""[\s\S]*?vgamem = 33554432 \(32 MiB\)/],
    ['cirrus', 8, /dev: cirrus-vga, id ""[\s\S]*?vgamem_mb = 8/],
  ] as const)(
    'video %s with %i MiB, HD audio, virtio-rng, i6300esb, a named CPU model',
    async (model, vramMiB, shown) => {
      const proc = await start({ ...BASE, devices: devices({ model, vramMiB }), cpuModel: 'Skylake-Client' });
      expect(await hmp(proc, 'info qtree')).toMatch(shown);
      expect(await qomGet(proc, '/machine/peripheral/sound0', 'type')).toBe('ich9-intel-hda');
      expect(await qomGet(proc, '/machine/peripheral/rng0-dev', 'type')).toBe('virtio-rng-pci');
      expect(await qomGet(proc, '/machine/peripheral/watchdog0', 'type')).toBe('i6300esb');
      expect(await qomGet(proc, '/machine/unattached/device[0]', 'type')).toBe('Skylake-Client-x86_64-cpu');
      expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean' });
    },
  );

  it('usb-host by vendor/product (and bus/port), at start and hot-plugged, waiting for a device not plugged in', async () => {
    const proc = await start({
      ...BASE,
      usb: [
        { slot: 0, vendorId: '046d', productId: 'c52b' },
        { slot: 3, vendorId: '0781', productId: '5581', bus: 2, port: '1.4' },
      ],
    });
    expect(await qomGet(proc, '/machine/peripheral/usbhost0', 'vendorid')).toBe(0x046d);
    expect(await qomGet(proc, '/machine/peripheral/usbhost3', 'hostport')).toBe('1.4');
    expect(await qomGet(proc, '/machine/peripheral/usbhost3', 'hostbus')).toBe(2);
    await proc.qmp.execute(
      'device_add',
      usbHostProps({ slot: 5, vendorId: '1d6b', productId: '0104', bus: 1 }),
    );
    expect(await qomGet(proc, '/machine/peripheral/usbhost5', 'productid')).toBe(0x0104);
    // Not plugged into this host: qemu keeps it, unattached, on the xHCI bus.
    expect(await hmp(proc, 'info qtree')).toMatch(/dev: usb-host, id "usbhost5"[\s\S]*?hostbus = 1/);
    await proc.qmp.execute('device_del', { id: 'usbhost5' });
    await expect.poll(async () => (await hmp(proc, 'info qtree')).includes('usbhost5')).toBe(false);
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean' });
  });

  it('four serial ports: ttyS1-3 on sockets of their own beside the console', async () => {
    const proc = await start({ ...BASE, serialPorts: 4 });
    const chardevs = await hmp(proc, 'info chardev');
    for (const n of [1, 2, 3])
      expect(chardevs).toContain(
        `serial${n}: filename=disconnected:unix:${proc.paths.serialPorts[n - 1]},server=on`,
      );
    expect(await hmp(proc, 'info qtree')).toMatch(/dev: isa-serial[\s\S]*?index = 3/);
    expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean' });
  });
});

describe('a TPM 2.0 on a swtpm', () => {
  it.each([
    ['q35', 'tpm-crb'],
    ['pc', 'tpm-tis'],
  ] as const)('%s: qemu takes the emulator and shows %s', async (machine, model) => {
    const dir = await sandbox.dir();
    const socket = join(dir, 'swtpm.sock');
    const swtpm = spawn(
      'swtpm',
      ['socket', '--tpm2', '--tpmstate', `dir=${dir}`, '--ctrl', `type=unixio,path=${socket}`, '--terminate'],
      { stdio: 'ignore' },
    );
    sandbox.track(swtpm.pid ?? 0);
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
    const proc = await start({ ...BASE, machine, tpm: { socket } });
    expect(await proc.qmp.executeUnknown('query-tpm')).toEqual([
      { id: 'tpm0', model, options: { type: 'emulator', data: { chardev: 'chrtpm' } } },
    ]);
  });
});
