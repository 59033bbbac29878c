import { join, resolve } from 'node:path';

/** Disk slots of a guest: `disk0`..`disk7`. On q35 each slot has its own hot-plug capable PCIe root port. */
export const DISK_SLOTS = 8;

/** What a guest is made of: the input to {@link buildArgv}. Paths must be absolute. */
export interface VmSpec {
  /** Shown in `ps` and as vCPU thread names; the VM's display name. */
  name: string;
  memoryMiB: number;
  vcpus: number;
  /** Already resolved: `auto` is the server's business, not this package's. */
  accel: 'kvm' | 'tcg';
  /** Default `q35`. */
  machine?: 'q35' | 'pc';
  /**
   * Disk images in boot order; `format` is a qemu block driver (`qcow2`, `raw`). `index` is the disk's slot
   * (0..{@link DISK_SLOTS}-1, unique; default: its list position): qemu's names for it derive from the slot
   * (see `diskIds`), so a disk keeps them across hot-plug of others and restarts.
   */
  disks: { path: string; format: string; index?: number }[];
  /** An ISO image for the IDE CD drive; without it the drive is there but empty (media can be inserted). */
  cdrom?: string;
  boot: 'cdrom' | 'disk';
  /** Default `user` (slirp NAT). */
  network?: 'user' | 'none';
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
