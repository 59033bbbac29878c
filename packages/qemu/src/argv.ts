import { isAbsolute } from 'node:path';
import { DISK_SLOTS, type RuntimePaths, type VmSpec } from './spec.ts';

/** Options for {@link buildArgv} that are about this start rather than about the guest. */
export interface ArgvOptions {
  /** Add `-S`: the vCPUs stay stopped until QMP `cont` (lets the caller attach to the sockets first). */
  startPaused?: boolean;
}

/** qemu's names for the CD drive: HMP and legacy commands use the drive, QMP `id` the device. */
export const CDROM_IDS = { drive: 'ide1-cd0', device: 'cd0' } as const;

/** qemu's names for disk slot `index`: file and format nodes, the virtio-blk device and (q35) its root port. */
export function diskIds(index: number): { file: string; node: string; device: string; port: string } {
  return {
    file: `disk${index}-file`,
    node: `disk${index}`,
    device: `virtio-disk${index}`,
    port: `disk${index}-port`,
  };
}

/**
 * Where the virtio-blk device of disk slot `index` plugs in, fixed per slot so a guest sees the same PCI
 * topology after a restart: on q35 its own PCIe root port (`pcie.0` itself does not take hot-plugged devices),
 * on pc a fixed slot of `pci.0` (ACPI hot-plug), 0x10 + index.
 */
export function diskBus(machine: 'q35' | 'pc', index: number): { bus: string; addr?: string } {
  if (machine === 'q35') return { bus: diskIds(index).port };
  return { bus: 'pci.0', addr: `0x${(0x10 + index).toString(16)}` };
}

/**
 * Escapes a value for qemu's QemuOpts syntax (`key=value,key=value`), where a literal comma is written `,,`.
 */
export function escapeOptValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/**
 * The qemu-system-x86_64 argument vector (without the binary) for a guest. Pure: same input, same output;
 * golden-tested against `src/fixtures`.
 *
 * @throws RangeError when the spec is unusable (non-positive sizes, relative paths, empty names or formats).
 */
export function buildArgv(spec: VmSpec, paths: RuntimePaths, opts: ArgvOptions = {}): string[] {
  validate(spec);
  const machine = spec.machine ?? 'q35';
  const argv: string[] = [
    // debug-threads=on names the vCPU threads ("CPU 0/TCG"), which makes `top -H` readable.
    ...['-name', `guest=${escapeOptValue(spec.name)},debug-threads=on`],
    // Only what is listed here: no /etc/qemu config, no default NIC/VGA/serial/parallel/CD.
    ...['-no-user-config', '-nodefaults'],
    ...['-machine', machine],
    ...['-accel', spec.accel],
    // NOTE: `-cpu host` needs KVM; TCG's `max` enables everything TCG can emulate.
    ...['-cpu', spec.accel === 'kvm' ? 'host' : 'max'],
    ...['-m', String(spec.memoryMiB)],
    ...['-smp', String(spec.vcpus)],
    ...qmpArgs(paths.qmp),
    ...qmpArgs(paths.qmpUser),
    ...['-chardev', `socket,id=hmp,path=${escapeOptValue(paths.monitor)},server=on,wait=off`],
    ...['-mon', 'chardev=hmp,mode=readline'],
    ...['-chardev', `socket,id=serial0,path=${escapeOptValue(paths.serial)},server=on,wait=off`],
    ...['-serial', 'chardev:serial0'],
    ...['-vnc', `unix:${escapeOptValue(paths.vnc)}`],
    ...['-device', 'VGA'],
    // An absolute pointer: with a relative PS/2 mouse the VNC cursor drifts away from the guest's.
    ...['-device', 'qemu-xhci,id=usb', '-device', 'usb-tablet,bus=usb.0'],
    // NOTE: -pidfile takes the path verbatim (it is not a QemuOpts value): no comma doubling here.
    ...['-pidfile', paths.pid],
  ];
  if (opts.startPaused === true) argv.push('-S');
  if (machine === 'q35') argv.push(...rootPorts());
  argv.push(...bootDevices(spec, machine));
  argv.push(...networkArgs(spec.network ?? 'user'));
  return argv;
}

function qmpArgs(socketPath: string): string[] {
  // NOTE: the legacy `-qmp unix:<path>,...` form parses the rest as QemuOpts with `path` implied, so the path
  // needs comma doubling like any other option value.
  return ['-qmp', `unix:${escapeOptValue(socketPath)},server=on,wait=off`];
}

type BootDevice =
  { kind: 'disk'; index: number; path: string; format: string } | { kind: 'cdrom'; path?: string };

function rootPorts(): string[] {
  // NOTE: every root port needs a unique (chassis, slot) pair; slot defaults to 0, so the chassis differs.
  return Array.from({ length: DISK_SLOTS }, (_, i) => [
    '-device',
    `pcie-root-port,id=${diskIds(i).port},chassis=${i + 1}`,
  ]).flat();
}

function bootDevices(spec: VmSpec, machine: 'q35' | 'pc'): string[] {
  const disks: BootDevice[] = spec.disks.map((d, i) => ({ kind: 'disk', ...d, index: d.index ?? i }));
  const cd: BootDevice[] = [{ kind: 'cdrom', ...(spec.cdrom === undefined ? {} : { path: spec.cdrom }) }];
  // Boot order is bootindex (0 first); `-boot order=` only applies to legacy -drive if=ide devices. The CD
  // drive has a bootindex even when empty, so media inserted later boots after a reset, as on a real PC.
  const ordered = spec.boot === 'cdrom' ? [...cd, ...disks] : [...disks, ...cd];
  return ordered.flatMap((dev, bootindex) =>
    dev.kind === 'disk' ? diskArgs(dev, machine, bootindex) : cdromArgs(dev.path, bootindex),
  );
}

function diskArgs(
  disk: { index: number; path: string; format: string },
  machine: 'q35' | 'pc',
  bootindex: number,
): string[] {
  const ids = diskIds(disk.index);
  const { bus, addr } = diskBus(machine, disk.index);
  const at = addr === undefined ? `bus=${bus}` : `bus=${bus},addr=${addr}`;
  // NOTE: the JSON form of -blockdev takes the filename as a JSON string, so paths need no comma escaping.
  return [
    ...['-blockdev', JSON.stringify({ driver: 'file', filename: disk.path, 'node-name': ids.file })],
    ...['-blockdev', JSON.stringify({ driver: disk.format, file: ids.file, 'node-name': ids.node })],
    ...['-device', `virtio-blk-pci,drive=${ids.node},id=${ids.device},${at},bootindex=${bootindex}`],
  ];
}

function cdromArgs(path: string | undefined, bootindex: number): string[] {
  // NOTE: `ide1-cd0` is the id `-cdrom` gives its drive on the pc machine. A named -drive (not an anonymous
  // -blockdev BlockBackend) is what HMP `change ide1-cd0 x.iso` and `eject ide1-cd0` can address, so CD
  // swapping works the same on q35 and pc. Bus `ide.1` exists on both: q35's ich9-ahci has ide.0..ide.5,
  // pc's piix IDE has ide.0 and ide.1 (checked against qemu 7.2 with `info qtree`).
  // format=raw: an ISO is never probed (a guest-written image probed as qcow2 could name a host file as its
  // backing file). qemu 7.2 refuses format= on a drive without a file, so the empty drive has neither.
  const media = path === undefined ? '' : `,format=raw,file=${escapeOptValue(path)}`;
  return [
    ...['-drive', `if=none,id=${CDROM_IDS.drive},media=cdrom,readonly=on${media}`],
    ...['-device', `ide-cd,drive=${CDROM_IDS.drive},bus=ide.1,id=${CDROM_IDS.device},bootindex=${bootindex}`],
  ];
}

function networkArgs(network: 'user' | 'none'): string[] {
  if (network === 'none') return [];
  // NOTE: romfile= (empty) skips the PXE option ROM: Debian's ipxe-qemu package may not be installed, and then
  // qemu refuses to start ("failed to find romfile"). We never PXE boot.
  return ['-netdev', 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0,id=net0-nic,romfile='];
}

function validate(spec: VmSpec): void {
  const fail = (msg: string): never => {
    throw new RangeError(`invalid VmSpec for "${spec.name}": ${msg}`);
  };
  if (spec.name === '') fail('name is empty');
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB <= 0) fail('memoryMiB must be a positive integer');
  if (!Number.isInteger(spec.vcpus) || spec.vcpus <= 0) fail('vcpus must be a positive integer');
  // qemu would resolve relative paths against its own working directory, which is nobody's intent.
  const slots = new Set<number>();
  spec.disks.forEach((d, i) => {
    if (!isAbsolute(d.path)) fail(`disk path is not absolute: ${d.path}`);
    if (!/^[a-z0-9_-]+$/.test(d.format)) fail(`disk format is not a block driver name: ${d.format}`);
    const slot = d.index ?? i;
    if (!Number.isInteger(slot) || slot < 0 || slot >= DISK_SLOTS)
      fail(`disk index must be an integer from 0 to ${DISK_SLOTS - 1}: ${slot}`);
    if (slots.has(slot)) fail(`two disks have index ${slot}`);
    slots.add(slot);
  });
  if (spec.cdrom !== undefined && !isAbsolute(spec.cdrom)) fail(`cdrom path is not absolute: ${spec.cdrom}`);
}
