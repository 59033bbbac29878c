import { join, resolve } from 'node:path';
import type { UsbHostSpec } from './argv-usb.ts';

/** Serial ports a guest may have: ttyS0 (the console) to ttyS3, the PC's four COM ports. */
export const MAX_SERIAL_PORTS = 4;

/** Disk slots of a guest: `disk0`..`disk7`. On q35 each slot has its own hot-plug capable PCIe root port. */
export const DISK_SLOTS = 8;

/** NIC slots of a guest: `net0`..`net7`. On q35 each slot has its own hot-plug capable PCIe root port. */
export const NIC_SLOTS = 8;

export type DiskBus = 'virtio' | 'scsi' | 'sata' | 'ide' | 'usb';
export type DiskCache = 'writeback' | 'none' | 'writethrough' | 'directsync' | 'unsafe';
export type DiskDiscard = 'ignore' | 'unmap';

/** A disk's options; each left out is qemu's default (writeback, discard ignored, read-write). */
export interface DiskOptionsSpec {
  cache?: DiskCache;
  discard?: DiskDiscard;
  readOnly?: boolean;
}

/** A shared folder as qemu sees it: the tag the guest mounts and the socket its virtiofsd listens on. */
export interface SharedFolderSpec {
  tag: string;
  socket: string;
}

export interface PortForwardSpec {
  protocol: 'tcp' | 'udp';
  hostAddress: string;
  hostPort: number;
  guestPort: number;
}

/**
 * One NIC: its slot (qemu ids `net<slot>`, `net<slot>-nic`, see `nicIds`), device model, MAC (qemu's default
 * 52:54:00:12:34:56 when left out) and backend: user-mode NAT, or a tap the caller made (for a bridge: made
 * with `ip tuntap add ... user <qemu's user>` and put on the bridge; qemu cannot make it under its sandbox).
 */
export type NicSpec = {
  slot: number;
  model: 'virtio' | 'e1000' | 'e1000e' | 'rtl8139';
  mac?: string;
} & ({ mode: 'user'; portForwards: readonly PortForwardSpec[] } | { mode: 'tap'; tap: string });

/** BIOS (SeaBIOS, qemu's default) or UEFI from two pflash files: read-only code and the guest's own variables. */
export type FirmwareSpec =
  | { kind: 'bios' }
  | {
      kind: 'uefi';
      /** e.g. /usr/share/OVMF/OVMF_CODE_4M.fd (read-only). */
      code: string;
      /** This guest's copy of the variable store (writable; UEFI boot entries live here). */
      vars: string;
      /** Secure Boot: secure pflash and SMM (q35 only). */
      secure: boolean;
    };

/** The guest's video card, sound card, RNG and watchdog. */
export interface DevicesSpec {
  /** `vramMiB`: a power of two from 1 to 256 (cirrus: 4, 8 or 16; virtio: 64 to 512, its host memory). */
  video: { model: 'vga' | 'virtio' | 'bochs' | 'cirrus'; vramMiB: number };
  sound: 'none' | 'hda';
  /** virtio-rng fed from the host's /dev/urandom. */
  rng: boolean;
  watchdog:
    { model: 'none' } | { model: 'i6300esb'; action: 'reset' | 'shutdown' | 'poweroff' | 'pause' | 'none' };
}

/** What a guest is made of: the input to {@link buildArgv}. Paths must be absolute. */
export interface VmSpec {
  /** Shown in `ps` and as vCPU thread names; the VM's display name. */
  name: string;
  memoryMiB: number;
  vcpus: number;
  /** sockets × cores × threads = vcpus; default: qemu's (`-smp N`). */
  topology?: { sockets: number; cores: number; threads: number };
  /** Already resolved: `auto` is the server's business, not this package's. */
  accel: 'kvm' | 'tcg';
  /** Default `q35`. */
  machine?: 'q35' | 'pc';
  /**
   * Disk images in boot order; `format` is a qemu block driver (`qcow2`, `raw`). `index` is the disk's slot
   * (0..{@link DISK_SLOTS}-1, unique; default: its list position): qemu's names for it derive from the slot
   * (see `diskIds`), so a disk keeps them across hot-plug of others and restarts. `bus` default `virtio`
   * (`ide` on pc only); cache, discard and read-only default to qemu's (writeback, ignore, read-write).
   */
  disks: ({ path: string; format: string; index?: number; bus?: DiskBus } & DiskOptionsSpec)[];
  /** An ISO image for the IDE CD drive; without it the drive is there but empty (media can be inserted). */
  cdrom?: string;
  /** `kernel`: boot `kernel` directly (qemu's `-kernel`); the disks and CD keep their boot order after it. */
  boot: 'cdrom' | 'disk' | 'kernel';
  kernel?: { path: string; initrd?: string; cmdline?: string };
  /** Default: one user-mode NAT virtio NIC in slot 0 with no port forwards; `[]`: no network. */
  nics?: NicSpec[];
  /** Default BIOS. */
  firmware?: FirmwareSpec;
  /** `-machine kernel-irqchip=off` (KVM only: the caller leaves it out under TCG). */
  noKernelIrqchip?: boolean;
  /** A virtio-balloon device (`balloon0`). */
  balloon?: boolean;
  /** RTC base; default `utc`. */
  clock?: 'utc' | 'localtime';
  /** Default: standard VGA with 16 MiB, nothing else. */
  devices?: DevicesSpec;
  /** qemu's `-cpu` model; default `host` under KVM, `max` under TCG. `host` needs KVM. */
  cpuModel?: string;
  /** A virtio-serial channel for the guest agent on {@link RuntimePaths.agent}. */
  guestAgent?: boolean;
  /** Host USB devices passed through (usb-host on the xHCI controller). */
  usb?: UsbHostSpec[];
  /** The guest RAM from the host's 2 MiB huge pages (memoryMiB a multiple of 2). */
  hugepages?: boolean;
  /** Serial ports, ttyS0 (the console) included: 1 to {@link MAX_SERIAL_PORTS}; default 1. */
  serialPorts?: number;
  /**
   * A TPM 2.0 whose emulator (swtpm, started by the caller before qemu) serves its control channel on
   * `socket`: tpm-crb on q35, tpm-tis on pc.
   */
  tpm?: { socket: string };
  /** virtiofs shared folders, each served by a virtiofsd on its socket (started before qemu). */
  sharedFolders?: SharedFolderSpec[];
}

/** The absolute paths of one guest's runtime files (all inside `dir`). */
export interface RuntimePaths {
  dir: string;
  /** QMP socket owned by the supervisor. */
  qmp: string;
  /** A second QMP socket for the browser's own QMP console (qemu serves one client per socket). */
  qmpUser: string;
  /** HMP (human monitor) socket. */
  monitor: string;
  vnc: string;
  serial: string;
  /** The sockets of ttyS1, ttyS2, ttyS3 (qemu listens on those the guest has). */
  serialPorts: string[];
  /** The guest agent's channel (qemu listens on it when the guest has one). */
  agent: string;
  pid: string;
  /** qemu's stdout + stderr, appended across runs. */
  log: string;
}

// NOTE: sockaddr_un.sun_path is 108 bytes including the terminating NUL; qemu refuses longer socket paths
// only when it is already starting, so we refuse them up front.
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * The runtime file layout of a guest whose runtime directory is `runDir` (resolved to an absolute path).
 *
 * @throws RangeError when a socket path would exceed the 107-byte unix socket limit.
 */
export function runtimePaths(runDir: string): RuntimePaths {
  const dir = resolve(runDir);
  const paths: RuntimePaths = {
    dir,
    qmp: join(dir, 'qmp.sock'),
    qmpUser: join(dir, 'qmp-user.sock'),
    monitor: join(dir, 'monitor.sock'),
    vnc: join(dir, 'vnc.sock'),
    serial: join(dir, 'serial.sock'),
    serialPorts: [1, 2, 3].map((n) => join(dir, `serial${n}.sock`)),
    agent: join(dir, 'qga.sock'),
    pid: join(dir, 'qemu.pid'),
    log: join(dir, 'qemu.log'),
  };
  const longest = paths.qmpUser;
  if (Buffer.byteLength(longest) > MAX_SOCKET_PATH_BYTES) {
    throw new RangeError(
      `run directory path is too long for unix sockets: ${longest} exceeds ${MAX_SOCKET_PATH_BYTES} bytes`,
    );
  }
  return paths;
}
