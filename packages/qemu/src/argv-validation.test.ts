// Every RangeError buildArgv throws for an unusable spec, each with the words a caller can show.
import { describe, expect, it } from 'vitest';
import { buildArgv } from './argv.ts';
import { runtimePaths, type NicSpec, type PortForwardSpec as PortForward, type VmSpec } from './spec.ts';

const base: VmSpec = { name: 'g', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };
const paths = runtimePaths('/run/vm');
const build = (overrides: Partial<VmSpec>) => () => buildArgv({ ...base, ...overrides }, paths);
const disk = { path: '/a', format: 'qcow2' };

describe('buildArgv refuses', () => {
  it('bad names, sizes, machine and boot values', () => {
    expect(build({ name: '' })).toThrow(RangeError);
    expect(build({ name: '' })).toThrow(/name is empty/);
    expect(build({ memoryMiB: 0 })).toThrow(/memoryMiB/);
    expect(build({ vcpus: 1.5 })).toThrow(/vcpus/);
    expect(build({ machine: 'virt' as 'pc' })).toThrow(/machine must be q35 or pc: virt/);
    expect(build({ boot: 'network' as 'disk' })).toThrow(/boot must be cdrom, disk or kernel/);
  });

  it('a topology that does not multiply to vcpus, or has a non-positive member', () => {
    expect(build({ vcpus: 4, topology: { sockets: 1, cores: 2, threads: 2 } })).not.toThrow();
    expect(build({ vcpus: 4, topology: { sockets: 2, cores: 2, threads: 2 } })).toThrow(
      /sockets × cores × threads must equal vcpus: 2 × 2 × 2 = 8, vcpus 4/,
    );
    expect(build({ vcpus: 1, topology: { sockets: 1, cores: 0, threads: 1 } })).toThrow(
      /topology cores must be a positive integer: 0/,
    );
    expect(build({ vcpus: 1, topology: { sockets: 1, cores: 1, threads: 0.5 } })).toThrow(/threads/);
  });

  it('bad disks and CD paths', () => {
    expect(build({ disks: [{ path: 'rel.qcow2', format: 'qcow2' }] })).toThrow(/not absolute/);
    expect(build({ disks: [{ path: '/a', format: 'qcow2,x=y' }] })).toThrow(/format/);
    expect(build({ cdrom: 'x.iso' })).toThrow(/cdrom/);
    expect(build({ disks: [disk, { ...disk, index: 0 }] })).toThrow(/two disks/);
    expect(build({ disks: [{ ...disk, index: 8 }] })).toThrow(/index/);
    expect(build({ disks: [{ ...disk, index: -1 }] })).toThrow(/index/);
    expect(build({ disks: [{ ...disk, bus: 'nvme' as 'ide' }] })).toThrow(
      /bus must be one of virtio, scsi, sata, ide, usb: nvme/,
    );
    expect(build({ disks: [{ ...disk, cache: 'fast' as 'none' }] })).toThrow(
      /cache must be one of writeback, none, writethrough, directsync, unsafe: fast/,
    );
    expect(build({ disks: [{ ...disk, discard: 'trim' as 'unmap' }] })).toThrow(
      /discard must be one of ignore, unmap: trim/,
    );
  });

  it('more IDE/SATA/USB disks than the machine has room for', () => {
    const on = (bus: 'ide' | 'sata' | 'usb', n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...disk, path: `/d${i}`, index: i, bus }));
    expect(build({ machine: 'pc', disks: on('ide', 3) })).not.toThrow();
    expect(build({ machine: 'pc', disks: on('ide', 4) })).toThrow(
      /the pc machine has room for 3 IDE disks besides the CD, not 4/,
    );
    expect(build({ disks: on('sata', 5) })).not.toThrow();
    expect(build({ disks: on('sata', 6) })).toThrow(
      /the q35 machine has room for 5 SATA disks besides the CD, not 6/,
    );
    expect(build({ machine: 'pc', disks: on('sata', 6) })).not.toThrow();
    expect(build({ disks: on('usb', 4) })).toThrow(/room for 3 USB disks, not 4/);
    // virtio disks do not count
    expect(
      build({ machine: 'pc', disks: [...on('ide', 3), { ...disk, path: '/v', index: 7 }] }),
    ).not.toThrow();
  });

  it('IDE on q35, read-only IDE/SATA, write-through USB', () => {
    expect(build({ disks: [{ ...disk, bus: 'ide' }] })).toThrow(/the q35 machine has no IDE controller/);
    expect(build({ machine: 'pc', disks: [{ ...disk, bus: 'sata', readOnly: true }] })).toThrow(
      /a sata disk cannot be read-only/,
    );
    expect(build({ machine: 'pc', disks: [{ ...disk, bus: 'ide', readOnly: true }] })).toThrow(/read-only/);
    expect(build({ disks: [{ ...disk, bus: 'usb', cache: 'writethrough' }] })).toThrow(
      /a usb disk cannot write through/,
    );
    expect(build({ disks: [{ ...disk, bus: 'usb', cache: 'none', readOnly: true }] })).not.toThrow();
  });

  it('kernel boot without a kernel, relative kernel/initrd paths, control characters in the cmdline', () => {
    expect(build({ boot: 'kernel' })).toThrow(/boot is kernel but no kernel is given/);
    expect(build({ boot: 'kernel', kernel: { path: 'vmlinuz' } })).toThrow(
      /kernel path is not absolute: vmlinuz/,
    );
    expect(build({ boot: 'kernel', kernel: { path: '/k', initrd: 'initrd' } })).toThrow(
      /initrd path is not absolute: initrd/,
    );
    expect(build({ boot: 'kernel', kernel: { path: '/k', cmdline: 'a\nb' } })).toThrow(/control characters/);
    expect(build({ boot: 'kernel', kernel: { path: '/k', cmdline: 'console=ttyS0,115200' } })).not.toThrow();
  });

  it('bad NIC modes, models, slots, MACs and interface names', () => {
    const net = (...nics: NicSpec[]) => build({ nics });
    const user = { slot: 0, mode: 'user', model: 'virtio', portForwards: [] } as const;
    expect(net({ ...user, mode: 'wifi' } as unknown as NicSpec)).toThrow(/NIC mode must be user or tap/);
    expect(net({ ...user, model: 'ne2k_pci' as 'e1000' })).toThrow(
      /NIC model must be virtio, e1000, e1000e or rtl8139: ne2k_pci/,
    );
    for (const model of ['virtio', 'e1000', 'e1000e', 'rtl8139'] as const)
      expect(net({ ...user, model })).not.toThrow();
    for (const slot of [-1, 8, 1.5])
      expect(net({ ...user, slot }), String(slot)).toThrow(/NIC slot must be 0 to 7/);
    expect(net(user, { ...user, slot: 0 })).toThrow(/two NICs in slot 0/);
    expect(net(...Array.from({ length: 9 }, (_, slot) => ({ ...user, slot })))).toThrow(/at most 8 NICs/);
    expect(net({ ...user, mac: '52:54:00:aa:bb:cc' })).not.toThrow();
    for (const mac of ['52:54:00:AA:BB:CC', '52:54:00:aa:bb', '52-54-00-aa-bb-cc', '52:54:00:aa:bb:cc,x=y'])
      expect(net({ ...user, mac }), mac).toThrow(/not a lowercase MAC address/);
    const tap = { slot: 1, mode: 'tap', model: 'e1000' } as const;
    for (const bad of ['', 'br,0', 'a'.repeat(16), '.hidden', 'br 0', 'br=0'])
      expect(net({ ...tap, tap: bad }), bad).toThrow(/not a tap interface name/);
    expect(net({ ...tap, tap: 'tap-vm.7_' + 'x'.repeat(6) })).not.toThrow();
    expect(net({ ...tap, tap: 'tap0,script=/x' })).toThrow(/not a tap interface name/);
  });

  it('bad port forwards', () => {
    const fwd = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 } as const;
    const forwards = (...portForwards: PortForward[]) =>
      build({ nics: [{ slot: 0, mode: 'user', model: 'virtio', portForwards }] });
    expect(forwards(fwd, { ...fwd, hostPort: 2223 }, { ...fwd, protocol: 'udp' })).not.toThrow();
    expect(forwards({ ...fwd, protocol: 'sctp' as 'tcp' })).toThrow(/protocol must be tcp or udp/);
    expect(forwards({ ...fwd, hostAddress: 'localhost' })).toThrow(/host address must be an IPv4 address/);
    expect(forwards({ ...fwd, hostAddress: '127.0.0.1,hostfwd=x' })).toThrow(/IPv4/);
    for (const port of [0, 65536, 22.5])
      expect(forwards({ ...fwd, guestPort: port }), String(port)).toThrow(/ports are 1 to 65535/);
    expect(forwards({ ...fwd, hostPort: -1 })).toThrow(/ports are 1 to 65535/);
    expect(forwards(fwd, { ...fwd, hostAddress: '0.0.0.0', guestPort: 80 })).toThrow(
      /two port forwards use host tcp port 2222/,
    );
  });

  it('relative firmware paths and Secure Boot on pc', () => {
    const uefi = { kind: 'uefi', code: '/c.fd', vars: '/v.fd', secure: false } as const;
    expect(build({ firmware: { ...uefi, code: 'c.fd' } })).toThrow(/UEFI code path is not absolute: c.fd/);
    expect(build({ firmware: { ...uefi, vars: 'v.fd' } })).toThrow(/UEFI vars path is not absolute: v.fd/);
    expect(build({ machine: 'pc', firmware: uefi })).not.toThrow();
    expect(build({ machine: 'pc', firmware: { ...uefi, secure: true } })).toThrow(
      /UEFI Secure Boot needs the q35 machine/,
    );
  });

  it('noKernelIrqchip without KVM', () => {
    expect(build({ noKernelIrqchip: true })).toThrow(/noKernelIrqchip needs accel kvm/);
    expect(build({ noKernelIrqchip: true, accel: 'kvm' })).not.toThrow();
  });

  it('with the guest name in every message', () => {
    expect(build({ name: 'web-1', memoryMiB: -1 })).toThrow('invalid VmSpec for "web-1": memoryMiB');
  });

  it('bad video memories, device models, watchdog actions and CPU models', () => {
    const devices = {
      video: { model: 'vga', vramMiB: 16 },
      sound: 'none',
      rng: false,
      watchdog: { model: 'none' },
    } as const;
    expect(build({ devices })).not.toThrow();
    expect(build({ devices: { ...devices, video: { model: 'vga', vramMiB: 24 } } })).toThrow(
      /vga video memory must be one of 1, 2, 4, 8, 16, 32, 64, 128, 256 MiB: 24/,
    );
    expect(build({ devices: { ...devices, video: { model: 'cirrus', vramMiB: 32 } } })).toThrow(/cirrus/);
    expect(build({ devices: { ...devices, video: { model: 'qxl' as 'vga', vramMiB: 16 } } })).toThrow(
      /video model must be vga, virtio, bochs or cirrus: qxl/,
    );
    expect(build({ devices: { ...devices, sound: 'ac97' as 'hda' } })).toThrow(/sound must be none or hda/);
    expect(
      build({ devices: { ...devices, watchdog: { model: 'i6300esb', action: 'explode' as 'reset' } } }),
    ).toThrow(/watchdog action must be one of reset, shutdown, poweroff, pause, none: explode/);
    expect(build({ cpuModel: 'Skylake-Client,+vmx' })).toThrow(/not a CPU model name/);
    expect(build({ cpuModel: 'host' })).toThrow(/host \(passthrough\) needs accel kvm/);
    expect(build({ cpuModel: 'host', accel: 'kvm' })).not.toThrow();
  });

  it('refuses bad shared folders: tags, duplicates, relative sockets, too many', () => {
    const folder = (tag: string, socket = `/run/v/${tag}.sock`) => ({ tag, socket });
    expect(build({ sharedFolders: [folder('share0'), folder('data.2')] })).not.toThrow();
    expect(build({ sharedFolders: [folder('a'.repeat(37))] })).toThrow(/not a valid virtiofs tag/);
    expect(build({ sharedFolders: [folder('x,id=evil')] })).toThrow(/not a valid virtiofs tag/);
    expect(build({ sharedFolders: [folder('-x')] })).toThrow(/not a valid virtiofs tag/);
    expect(build({ sharedFolders: [folder('s', '/a'), folder('s', '/b')] })).toThrow(/tag used twice: s/);
    expect(build({ sharedFolders: [folder('s', 'run/s.sock')] })).toThrow(/socket path is not absolute/);
    const nine = Array.from({ length: 9 }, (_, i) => folder(`s${i}`));
    expect(build({ sharedFolders: nine })).toThrow(/at most 8 shared folders, not 9/);
  });
});
