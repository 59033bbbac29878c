import { isAbsolute } from 'node:path';
import { agentArgs } from './argv-agent.ts';
import {
  bootDeviceArgs,
  diskControllerArgs,
  rootPortArgs,
  scsiRootPortArgs,
  validateDisks,
  type Machine,
} from './argv-disks.ts';
import {
  cpuModelOf,
  DEFAULT_DEVICES_SPEC,
  extraDeviceArgs,
  tpmArgs,
  validateDevices,
  videoArgs,
} from './argv-devices.ts';
import { DEFAULT_NICS, networkArgs, nicRootPortArgs, validateNics } from './argv-network.ts';
import { escapeOptValue, isOneOf, type Fail } from './argv-opts.ts';
import { extraSerialArgs, validateSerialPorts } from './argv-serial.ts';
import { usbHostArgs, validateUsb } from './argv-usb.ts';
import { sharedFolderArgs, validateSharedFolders } from './argv-shared-folders.ts';
import {
  hasMemoryBackend,
  MEMORY_BACKEND_ID,
  memoryBackendArgs,
  validateMemoryBacking,
} from './argv-memory.ts';
import type { RuntimePaths, VmSpec } from './spec.ts';

export { escapeOptValue } from './argv-opts.ts';
export {
  CDROM_IDS,
  diskIds,
  diskBus,
  diskBusCapacity,
  ideDiskCapacity,
  ideDiskPositions,
  type DiskBus,
  type Machine,
} from './argv-disks.ts';
export {
  SCSI_CONTROLLER,
  cacheNeedsDirectIo,
  diskBlockdevs,
  diskDeviceProps,
  scsiControllerProps,
  type DiskCache,
  type DiskDiscard,
  type DiskOptionsSpec,
} from './argv-disk-devices.ts';
export {
  nicIds,
  nicBus,
  nicDeviceProps,
  hostfwds,
  DEFAULT_NICS,
  NIC_DEVICES,
  type NicDeviceProps,
} from './argv-network.ts';
export { AGENT_IDS, AGENT_PORT_NAME } from './argv-agent.ts';
export { TPM_IDS } from './argv-devices.ts';
export { MAX_SHARED_FOLDERS, SHARED_FOLDER_TAG, sharedFolderIds } from './argv-shared-folders.ts';

/** Options for {@link buildArgv} that are about this start rather than about the guest. */
export interface ArgvOptions {
  /** Add `-S`: the vCPUs stay stopped until QMP `cont` (lets the caller attach to the sockets first). */
  startPaused?: boolean;
}

/**
 * qemu's seccomp sandbox, on every guest (libvirt's default `seccomp_sandbox = 1` is the same filter):
 * `obsolete` old syscalls, `elevateprivileges` setuid/setgid & co., `spawn` fork/execve, `resourcecontrol`
 * scheduler and CPU-affinity changes are all denied. NOTE (measured, qemu 7.2): a denied call kills qemu
 * with SIGSYS ("Bad system call"). So anything that makes qemu run a program kills it instead: HMP/QMP
 * `migrate "exec:..."` (nothing runs), `-netdev bridge` (qemu-bridge-helper) and tap `script=`s; the server
 * creates taps itself and passes `script=no`. virtweb's own save state already migrates to a unix socket.
 */
export const QEMU_SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

/** qemu's id of the memory balloon device (`balloon: true`). */
export const BALLOON_ID = 'balloon0';

/**
 * The qemu-system-x86_64 argument vector (without the binary) for a guest. Pure: same input, same output;
 * golden-tested against `src/fixtures`.
 *
 * @throws RangeError when the spec is unusable: non-positive sizes, a topology that does not multiply to
 *   `vcpus`, relative paths, empty names or formats, more IDE disks than the machine has room for, kernel
 *   boot without a kernel, Secure Boot on `pc`, `noKernelIrqchip` without KVM, bad interface names or ports.
 */
export function buildArgv(spec: VmSpec, paths: RuntimePaths, opts: ArgvOptions = {}): string[] {
  validate(spec);
  const machine = spec.machine ?? 'q35';
  const kernelBoot = spec.boot === 'kernel';
  const argv: string[] = [
    // debug-threads=on names the vCPU threads ("CPU 0/TCG"), which makes `top -H` readable.
    ...['-name', `guest=${escapeOptValue(spec.name)},debug-threads=on`],
    // Only what is listed here: no /etc/qemu config, no default NIC/VGA/serial/parallel/CD.
    ...['-no-user-config', '-nodefaults'],
    ...['-sandbox', QEMU_SANDBOX],
    ...['-machine', machineOpts(spec, machine)],
    ...['-accel', spec.accel],
    ...['-cpu', cpuModelOf(spec)],
    ...['-m', String(spec.memoryMiB)],
    ...memoryBackendArgs(spec),
    ...['-smp', smpOpts(spec)],
    ...firmwareArgs(spec),
    // UTC is qemu's default RTC base, so only localtime is spelled out.
    ...(spec.clock === 'localtime' ? ['-rtc', 'base=localtime'] : []),
    ...qmpArgs(paths.qmp),
    ...qmpArgs(paths.qmpUser),
    ...['-chardev', `socket,id=hmp,path=${escapeOptValue(paths.monitor)},server=on,wait=off`],
    ...['-mon', 'chardev=hmp,mode=readline'],
    ...['-chardev', `socket,id=serial0,path=${escapeOptValue(paths.serial)},server=on,wait=off`],
    ...['-serial', 'chardev:serial0'],
    ...extraSerialArgs(spec.serialPorts ?? 1, paths),
    ...['-vnc', `unix:${escapeOptValue(paths.vnc)}`],
    ...videoArgs((spec.devices ?? DEFAULT_DEVICES_SPEC).video),
    // An absolute pointer: with a relative PS/2 mouse the VNC cursor drifts away from the guest's.
    ...['-device', 'qemu-xhci,id=usb', '-device', 'usb-tablet,bus=usb.0'],
    // NOTE: -pidfile takes the path verbatim (it is not a QemuOpts value): no comma doubling here.
    ...['-pidfile', paths.pid],
  ];
  if (opts.startPaused === true) argv.push('-S');
  if (machine === 'q35') argv.push(...rootPortArgs(), ...nicRootPortArgs(), ...scsiRootPortArgs());
  if (kernelBoot) argv.push(...kernelArgs(spec));
  argv.push(...diskControllerArgs(spec, machine));
  // NOTE: qemu gives the -kernel loader's option ROM bootindex 0 and refuses a device with the same index
  // ("The bootindex 0 has already been used"), so under kernel boot the disks and CD count from 1.
  argv.push(...bootDeviceArgs(spec, machine, kernelBoot ? 1 : 0));
  argv.push(...networkArgs(spec.nics ?? DEFAULT_NICS, machine));
  // On q35 the balloon sits on pcie.0 as an integrated device: it is never hot-plugged, so needs no root port.
  if (spec.balloon === true) argv.push('-device', `virtio-balloon-pci,id=${BALLOON_ID}`);
  // Last, so that adding one leaves the PCI addresses of the devices above as they were.
  argv.push(...extraDeviceArgs(spec.devices ?? DEFAULT_DEVICES_SPEC));
  if (spec.guestAgent === true) argv.push(...agentArgs(paths.agent));
  argv.push(...usbHostArgs(spec.usb ?? []));
  argv.push(...tpmArgs(spec.tpm, machine));
  argv.push(...sharedFolderArgs(spec.sharedFolders ?? []));
  return argv;
}

/** `-machine`: the type plus the options that belong to it, composed here only. */
function machineOpts(spec: VmSpec, machine: Machine): string {
  const opts: string[] = [machine];
  // NOTE: OVMF's Secure Boot build keeps its variable store safe from the OS through SMM, so it needs SMM
  // emulation and the pflash in "secure" mode (see firmwareArgs). On pc it hangs before any serial output
  // (measured, qemu 7.2 + Debian 12 OVMF): validate() refuses it.
  if (spec.firmware?.kind === 'uefi' && spec.firmware.secure) opts.push('smm=on');
  // The in-kernel LAPIC/IOAPIC/PIC are a KVM feature; off means qemu emulates them in userspace (slower; a
  // workaround for guests or hosts where the in-kernel irqchip misbehaves). NOTE: qemu 7.2 starts with it but
  // warns on stderr "Userspace local APIC is deprecated for KVM" and "Do not use kernel-irqchip except for
  // the -M isapc machine type".
  if (spec.noKernelIrqchip === true) opts.push('kernel-irqchip=off');
  // The guest RAM is the memfd when virtiofsd must reach it or huge pages back it (see memoryBackendArgs).
  if (hasMemoryBackend(spec)) opts.push(`memory-backend=${MEMORY_BACKEND_ID}`);
  return opts.join(',');
}

// NOTE: under TCG, `-cpu max` is AMD-flavoured without topoext (TCG cannot emulate it), so qemu 7.2 warns
// "This family of AMD CPU doesn't support hyperthreading(2)" for threads > 1. Harmless: the guest still
// gets its vCPUs; only how it labels them (cores vs threads) may differ.
function smpOpts(spec: VmSpec): string {
  const t = spec.topology;
  if (t === undefined) return String(spec.vcpus);
  return `${spec.vcpus},sockets=${t.sockets},cores=${t.cores},threads=${t.threads}`;
}

function firmwareArgs(spec: VmSpec): string[] {
  const fw = spec.firmware;
  if (fw === undefined || fw.kind === 'bios') return [];
  // NOTE: pflash unit 0 is the firmware code (read-only), unit 1 the guest's writable variable store; both
  // are raw images. qemu 7.2 accepts this -drive form on q35 and pc, and the test guest boots under OVMF on
  // both (argv-options.qemu.test.ts, uefi-boot.qemu.test.ts).
  return [
    ...['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${escapeOptValue(fw.code)}`],
    ...['-drive', `if=pflash,format=raw,unit=1,file=${escapeOptValue(fw.vars)}`],
    ...(fw.secure ? ['-global', 'driver=cfi.pflash01,property=secure,value=on'] : []),
  ];
}

function kernelArgs(spec: VmSpec): string[] {
  const k = spec.kernel;
  if (k === undefined) return []; // validate() refuses kernel boot without a kernel
  // NOTE: -kernel, -initrd and -append are plain strings (qemu 7.2 stores them verbatim as the machine's
  // kernel/initrd/append properties, see `qom-get /machine kernel`), not QemuOpts: commas stay single. Only
  // a multiboot kernel would split -initrd at commas (module list); Linux kernels do not.
  return [
    ...['-kernel', k.path],
    ...(k.initrd === undefined ? [] : ['-initrd', k.initrd]),
    ...(k.cmdline === undefined ? [] : ['-append', k.cmdline]),
  ];
}

function validate(spec: VmSpec): void {
  const fail: Fail = (msg) => {
    throw new RangeError(`invalid VmSpec for "${spec.name}": ${msg}`);
  };
  const machine = spec.machine ?? 'q35';
  if (spec.name === '') fail('name is empty');
  if (!isOneOf(machine, ['q35', 'pc'])) fail(`machine must be q35 or pc: ${machine}`);
  if (!isOneOf(spec.boot, ['cdrom', 'disk', 'kernel']))
    fail(`boot must be cdrom, disk or kernel: ${spec.boot}`);
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB <= 0) fail('memoryMiB must be a positive integer');
  if (!Number.isInteger(spec.vcpus) || spec.vcpus <= 0) fail('vcpus must be a positive integer');
  validateTopology(spec, fail);
  validateDisks(spec, machine, fail);
  validateKernel(spec, fail);
  validateNics(spec.nics ?? DEFAULT_NICS, fail);
  validateDevices(spec, fail);
  validateUsb(spec.usb ?? [], fail);
  validateSerialPorts(spec.serialPorts, fail);
  validateSharedFolders(spec.sharedFolders ?? [], fail);
  validateMemoryBacking(spec, fail);
  const fw = spec.firmware;
  if (fw?.kind === 'uefi') {
    if (!isAbsolute(fw.code)) fail(`UEFI code path is not absolute: ${fw.code}`);
    if (!isAbsolute(fw.vars)) fail(`UEFI vars path is not absolute: ${fw.vars}`);
    if (fw.secure && machine !== 'q35')
      fail('UEFI Secure Boot needs the q35 machine (OVMF uses SMM, which pc does not give it)');
  }
  if (spec.noKernelIrqchip === true && spec.accel !== 'kvm')
    fail('noKernelIrqchip needs accel kvm (TCG has no in-kernel irqchip to turn off)');
}

function validateTopology(spec: VmSpec, fail: Fail): void {
  const t = spec.topology;
  if (t === undefined) return;
  for (const [key, n] of Object.entries(t))
    if (!Number.isInteger(n) || n <= 0) fail(`topology ${key} must be a positive integer: ${String(n)}`);
  const product = t.sockets * t.cores * t.threads;
  if (product !== spec.vcpus)
    fail(
      `sockets × cores × threads must equal vcpus: ${t.sockets} × ${t.cores} × ${t.threads} = ${product}, ` +
        `vcpus ${spec.vcpus}`,
    );
}

function validateKernel(spec: VmSpec, fail: Fail): void {
  const k = spec.kernel;
  if (spec.boot !== 'kernel') return; // a kernel kept in the spec while booting from CD or disk is unused
  if (k === undefined) fail('boot is kernel but no kernel is given');
  else {
    if (!isAbsolute(k.path)) fail(`kernel path is not absolute: ${k.path}`);
    if (k.initrd !== undefined && !isAbsolute(k.initrd)) fail(`initrd path is not absolute: ${k.initrd}`);
    // eslint-disable-next-line no-control-regex
    if (k.cmdline !== undefined && /[\x00-\x1f\x7f]/.test(k.cmdline))
      fail('kernel command line has control characters or line breaks');
  }
}

function qmpArgs(socketPath: string): string[] {
  // NOTE: the legacy `-qmp unix:<path>,...` form parses the rest as QemuOpts with `path` implied, so the path
  // needs comma doubling like any other option value.
  return ['-qmp', `unix:${escapeOptValue(socketPath)},server=on,wait=off`];
}
