// Golden tests (Proxmox cfg2cmd style): src/fixtures/<case>.json is a VmSpec, <case>.argv the expected argv,
// one element per line. A change to argv building shows up as a fixture diff. Rewrite them with
// UPDATE_GOLDEN=1 npx vitest run packages/qemu/src/argv.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArgv, diskBus, diskIds, escapeOptValue, ideDiskCapacity, ideDiskPositions } from './argv.ts';
import { runtimePaths, type VmSpec } from './spec.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

// Fixtures get a run dir named after the guest, so the comma case also covers socket paths with commas.
function argvFor(spec: VmSpec): string[] {
  return buildArgv(spec, runtimePaths(`/srv/virtweb/run/${spec.name}`));
}

describe('buildArgv golden files', () => {
  it('has the expected fixture set', () => {
    expect(cases).toEqual([
      'cdrom-boot',
      'devices',
      'disk-boot-two-disks',
      'disk-buses-pc',
      'disk-buses-q35',
      'disk-slots-pc-empty-cd',
      'kernel-boot',
      'kvm',
      'kvm-no-kernel-irqchip',
      'minimal-tcg',
      'network-bridge',
      'network-none',
      'network-tap',
      'nics-several',
      'nics-several-q35',
      'path-with-comma',
      'pc-machine',
      'port-forwards',
      'preset-linux',
      'preset-other-pc-ide',
      'preset-windows',
      'preset-windows11-tpm',
      'shared-folders',
      'topology',
      'tpm-pc',
      'uefi',
      'uefi-secure',
    ]);
  });

  it.each(cases)('%s', (name) => {
    const spec = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as VmSpec;
    const actual = argvFor(spec).join('\n') + '\n';
    const goldenPath = join(FIXTURES, `${name}.argv`);
    if (update) writeFileSync(goldenPath, actual);
    expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
  });
});

describe('buildArgv', () => {
  const base: VmSpec = { name: 'g', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };
  const paths = runtimePaths('/run/vm');

  it('adds -S only when starting paused', () => {
    expect(buildArgv(base, paths)).not.toContain('-S');
    expect(buildArgv(base, paths, { startPaused: true })).toContain('-S');
  });

  it('names disks by slot, not by list position', () => {
    const argv = buildArgv(
      {
        ...base,
        disks: [
          { path: '/a', format: 'qcow2', index: 3 },
          { path: '/b', format: 'raw' },
        ],
      },
      paths,
    );
    const devices = argv.filter((a) => a.startsWith('virtio-blk-pci'));
    expect(devices).toEqual([
      'virtio-blk-pci,drive=disk3,id=virtio-disk3,bus=disk3-port,bootindex=0',
      'virtio-blk-pci,drive=disk1,id=virtio-disk1,bus=disk1-port,bootindex=1',
    ]);
    expect(diskIds(3)).toEqual({
      file: 'disk3-file',
      node: 'disk3',
      device: 'virtio-disk3',
      port: 'disk3-port',
    });
    expect(diskBus('pc', 3)).toEqual({ bus: 'pci.0', addr: '0x13' });
    expect(diskIds(3, 'ide')).toEqual({
      file: 'disk3-file',
      node: 'disk3',
      device: 'ide-disk3',
      port: 'disk3-port',
    });
  });

  it('gives IDE/SATA disks the free positions in slot order, around the CD on ide.1 unit 0', () => {
    expect(ideDiskCapacity('pc')).toBe(3);
    expect(ideDiskCapacity('q35')).toBe(5);
    expect(ideDiskPositions('q35', 'ide')).toEqual([]);
    expect(ideDiskPositions('pc', 'sata')).toHaveLength(6);
    expect(ideDiskPositions('pc')).toEqual([
      { bus: 'ide.0', unit: 0 },
      { bus: 'ide.0', unit: 1 },
      { bus: 'ide.1', unit: 1 },
    ]);
    const on = (bus: 'ide' | 'sata') => (index: number) => ({
      path: `/d${index}`,
      format: 'raw',
      index,
      bus,
    });
    const [ide, sata] = [on('ide'), on('sata')];
    const placed = (spec: VmSpec) =>
      buildArgv(spec, paths)
        .filter((a) => a.startsWith('ide-hd'))
        .map((a) => a.replace(/^ide-hd,drive=\w+,id=([\w-]+),bus=([\w.]+),unit=(\d),.*$/, '$1 $2:$3'));
    const q35 = { ...base, disks: [sata(7), sata(0), sata(3), sata(1), sata(2)] };
    expect(placed(q35)).toEqual([
      'sata-disk7 ide.5:0',
      'sata-disk0 ide.0:0',
      'sata-disk3 ide.4:0',
      'sata-disk1 ide.2:0',
      'sata-disk2 ide.3:0',
    ]);
    // pc: IDE on PIIX, SATA on the added AHCI, each bus in its own slot order
    expect(placed({ ...base, machine: 'pc', disks: [sata(5), ide(1), sata(3)] })).toEqual([
      'sata-disk5 sata0.1:0',
      'ide-disk1 ide.0:0',
      'sata-disk3 sata0.0:0',
    ]);
    expect(placed({ ...base, machine: 'pc', disks: [ide(4), ide(6), ide(2)] })).toEqual([
      'ide-disk4 ide.0:1',
      'ide-disk6 ide.1:1',
      'ide-disk2 ide.0:0',
    ]);
    // No CD position is taken, and IDE disks get no PCI placement.
    expect(placed(q35).some((p) => p.includes('ide.1:'))).toBe(false);
  });

  it('composes -machine options in one argument', () => {
    const machineArg = (spec: VmSpec) => {
      const argv = buildArgv(spec, paths);
      return argv[argv.indexOf('-machine') + 1];
    };
    const secure = { kind: 'uefi', code: '/c.fd', vars: '/v.fd', secure: true } as const;
    expect(machineArg(base)).toBe('q35');
    expect(machineArg({ ...base, firmware: secure })).toBe('q35,smm=on');
    expect(machineArg({ ...base, accel: 'kvm', noKernelIrqchip: true, firmware: secure })).toBe(
      'q35,smm=on,kernel-irqchip=off',
    );
    expect(machineArg({ ...base, machine: 'pc', accel: 'kvm', noKernelIrqchip: true })).toBe(
      'pc,kernel-irqchip=off',
    );
    expect(machineArg({ ...base, firmware: { ...secure, secure: false } })).toBe('q35');
  });

  it('spells out only what differs from qemu defaults', () => {
    const explicit: VmSpec = {
      ...base,
      nics: [{ slot: 0, mode: 'user', model: 'virtio', portForwards: [] }],
      firmware: { kind: 'bios' },
      clock: 'utc',
      balloon: false,
      noKernelIrqchip: false,
    };
    expect(buildArgv(explicit, paths)).toEqual(buildArgv(base, paths));
    expect(buildArgv({ ...base, clock: 'localtime' }, paths).join(' ')).toContain('-rtc base=localtime');
  });

  it('passes kernel, initrd and cmdline verbatim and counts boot devices from 1 after the kernel', () => {
    const spec: VmSpec = {
      ...base,
      disks: [{ path: '/a.qcow2', format: 'qcow2' }],
      boot: 'kernel',
      kernel: { path: '/k,1', initrd: '/i,1', cmdline: 'console=ttyS0,115200 a="b c"' },
    };
    const argv = buildArgv(spec, paths);
    const at = argv.indexOf('-kernel');
    expect(argv.slice(at, at + 6)).toEqual([
      '-kernel',
      '/k,1',
      '-initrd',
      '/i,1',
      '-append',
      'console=ttyS0,115200 a="b c"',
    ]);
    expect(argv.filter((a) => a.includes('bootindex=')).map((a) => /bootindex=(\d+)/.exec(a)?.[1])).toEqual([
      '1',
      '2',
    ]);
    const minimal = buildArgv({ ...spec, kernel: { path: '/k' } }, paths);
    expect(minimal).not.toContain('-initrd');
    expect(minimal).not.toContain('-append');
    // A kernel kept in the spec is not used when booting from disk.
    expect(buildArgv({ ...spec, boot: 'disk' }, paths)).not.toContain('-kernel');
  });

  it('adds the guest agent channel only when asked, on the run dir socket', () => {
    expect(buildArgv(base, paths).join(' ')).not.toContain('virtserialport');
    const argv = buildArgv({ ...base, guestAgent: true }, runtimePaths('/run/a,b')).join(' ');
    expect(argv).toContain('-chardev socket,id=qga0,path=/run/a,,b/qga.sock,server=on,wait=off');
    expect(argv).toContain(
      '-device virtio-serial-pci,id=vser0 -device virtserialport,bus=vser0.0,chardev=qga0,id=qga0-port,name=org.qemu.guest_agent.0',
    );
  });

  it('always has a CD drive, empty without an ISO', () => {
    const argv = buildArgv(base, paths);
    expect(argv).toContain('if=none,id=ide1-cd0,media=cdrom,readonly=on');
    expect(argv.filter((a) => a.startsWith('pcie-root-port,id=disk'))).toHaveLength(8);
    expect(argv.filter((a) => a.startsWith('pcie-root-port,id=net'))).toHaveLength(8);
    expect(argv).toContain('pcie-root-port,id=scsi0-port,chassis=17');
    expect(
      new Set(argv.filter((a) => a.startsWith('pcie-root-port')).map((a) => a.split('chassis=')[1])).size,
    ).toBe(17);
    // no disk needs a controller: none added
    expect(argv.some((a) => a.startsWith('virtio-scsi-pci') || a.startsWith('ahci'))).toBe(false);
    expect(buildArgv({ ...base, machine: 'pc' }, paths).some((a) => a.startsWith('pcie-root-port'))).toBe(
      false,
    );
  });

  it('orders boot devices by bootindex', () => {
    const spec: VmSpec = {
      ...base,
      disks: [
        { path: '/a.qcow2', format: 'qcow2' },
        { path: '/b.raw', format: 'raw' },
      ],
      cdrom: '/c.iso',
    };
    const bootindexes = (argv: string[]) =>
      argv.filter((a) => a.includes('bootindex=')).map((a) => a.replace(/^([a-z-]+),.*bootindex=/, '$1 '));
    expect(bootindexes(buildArgv({ ...spec, boot: 'cdrom' }, paths))).toEqual([
      'ide-cd 0',
      'virtio-blk-pci 1',
      'virtio-blk-pci 2',
    ]);
    expect(bootindexes(buildArgv({ ...spec, boot: 'disk' }, paths))).toEqual([
      'virtio-blk-pci 0',
      'virtio-blk-pci 1',
      'ide-cd 2',
    ]);
  });
});

describe('runtimePaths', () => {
  it('lays out absolute paths in the run dir', () => {
    expect(runtimePaths('/data/run/abc')).toEqual({
      dir: '/data/run/abc',
      qmp: '/data/run/abc/qmp.sock',
      qmpUser: '/data/run/abc/qmp-user.sock',
      monitor: '/data/run/abc/monitor.sock',
      vnc: '/data/run/abc/vnc.sock',
      serial: '/data/run/abc/serial.sock',
      serialPorts: ['/data/run/abc/serial1.sock', '/data/run/abc/serial2.sock', '/data/run/abc/serial3.sock'],
      agent: '/data/run/abc/qga.sock',
      pid: '/data/run/abc/qemu.pid',
      log: '/data/run/abc/qemu.log',
    });
    expect(runtimePaths('rel').dir).toBe(join(process.cwd(), 'rel'));
  });

  it('refuses run dirs too long for unix sockets', () => {
    expect(() => runtimePaths('/' + 'x'.repeat(100))).toThrow(RangeError);
  });

  it('escapes commas by doubling', () => {
    expect(escapeOptValue('/a,b,,c')).toBe('/a,,b,,,,c');
  });
});
