// Golden tests (Proxmox cfg2cmd style): src/fixtures/<case>.json is a VmSpec, <case>.argv the expected argv,
// one element per line. A change to argv building shows up as a fixture diff. Rewrite them with
// UPDATE_GOLDEN=1 npx vitest run packages/qemu/src/argv.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArgv, diskBus, diskIds, escapeOptValue } from './argv.ts';
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
      'disk-boot-two-disks',
      'disk-slots-pc-empty-cd',
      'kvm',
      'minimal-tcg',
      'network-none',
      'path-with-comma',
      'pc-machine',
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

  it('rejects unusable specs', () => {
    expect(() => buildArgv({ ...base, memoryMiB: 0 }, paths)).toThrow(/memoryMiB/);
    expect(() => buildArgv({ ...base, vcpus: 1.5 }, paths)).toThrow(/vcpus/);
    expect(() => buildArgv({ ...base, disks: [{ path: 'rel.qcow2', format: 'qcow2' }] }, paths)).toThrow(
      /not absolute/,
    );
    expect(() => buildArgv({ ...base, disks: [{ path: '/a', format: 'qcow2,x=y' }] }, paths)).toThrow(
      /format/,
    );
    expect(() => buildArgv({ ...base, cdrom: 'x.iso' }, paths)).toThrow(/cdrom/);
    const disk = { path: '/a', format: 'qcow2' };
    expect(() => buildArgv({ ...base, disks: [disk, { ...disk, index: 0 }] }, paths)).toThrow(/two disks/);
    expect(() => buildArgv({ ...base, disks: [{ ...disk, index: 8 }] }, paths)).toThrow(/index/);
    expect(() => buildArgv({ ...base, disks: [{ ...disk, index: -1 }] }, paths)).toThrow(/index/);
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
  });

  it('always has a CD drive, empty without an ISO', () => {
    const argv = buildArgv(base, paths);
    expect(argv).toContain('if=none,id=ide1-cd0,media=cdrom,readonly=on');
    expect(argv.filter((a) => a.startsWith('pcie-root-port'))).toHaveLength(8);
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
