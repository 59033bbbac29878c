import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Accel, HostInfo, KvmStatus } from '@virtweb/protocol';
import { hostFirmware, type HostFirmware } from './firmware.ts';
import { hostNetwork, type HostNetwork } from './host-network.ts';
import { swtpmProblem } from './swtpm-tools.ts';
import { hostCpu, qemuCpuModels } from './cpu-models.ts';
import { probeLinuxBoot, probeLongMode } from './kvm-probe.ts';
import type { QemuAccess } from './qemu-access.ts';
import { devKvmDenied, devKvmStatus, tapAccessProblem } from './qemu-devices.ts';
import { hugePages } from './hugepages.ts';
import { scanHostUsb, SYSFS_USB, type HostUsbScan } from './usb-devices.ts';

const execFileP = promisify(execFile);

/** Time limits of the two probe stages: a working KVM needs a fraction of each. */
export const LONG_MODE_PROBE_MS = 5_000;
export const LINUX_PROBE_MS = 20_000;

/** The seed's `egrep '(vmx|svm)' /proc/cpuinfo`. */
export async function cpuVirtFlag(cpuinfoPath = '/proc/cpuinfo'): Promise<'vmx' | 'svm' | null> {
  const { flags } = await hostCpu(cpuinfoPath);
  if (flags.includes('vmx')) return 'vmx';
  if (flags.includes('svm')) return 'svm';
  return null;
}

/** "7.2.22" from `qemu-system-x86_64 --version`. @throws Error when qemu cannot be run. */
export async function qemuVersion(binary: string): Promise<string> {
  const { stdout } = await execFileP(binary, ['--version'], { timeout: 10_000 });
  return /version\s+(\S+)/i.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? 'unknown';
}

/**
 * Decides whether KVM really works: node, permissions, then probe guests under a time limit, run like guests
 * are (as qemu's user, under the sandbox). `probeKernel` must be in the data dir (it is granted to the user).
 * @throws Conflict when qemu's user is missing or cannot be given the kernel
 */
export async function detectKvm(
  binary: string,
  access: QemuAccess,
  probeKernel?: { kernel: string; initrd: string },
): Promise<KvmStatus> {
  const runAs = await access.user.identity();
  const cpuFlag = await cpuVirtFlag();
  const devKvm = await devKvmStatus(access);
  const base = { cpuFlag, devKvm, present: devKvm.exists };
  if (!devKvm.exists) {
    const why = cpuFlag
      ? `the CPU has ${cpuFlag} but the kvm module is not loaded (modprobe kvm_${cpuFlag === 'vmx' ? 'intel' : 'amd'})`
      : 'the CPU exposes no vmx/svm flag (virtualization is off in the firmware or hidden by a hypervisor)';
    return {
      ...base,
      usable: false,
      probeMs: null,
      reason: `KVM not available: /dev/kvm does not exist; ${why}`,
    };
  }
  if (!devKvm.accessible) {
    return {
      ...base,
      usable: false,
      probeMs: null,
      reason: `KVM present but not usable: ${await devKvmDenied(access)}`,
    };
  }
  const longMode = await probeLongMode(binary, 'kvm', LONG_MODE_PROBE_MS, runAs);
  if (!longMode.ok) {
    const flagNote = cpuFlag ? '' : ' (the CPU shows no vmx/svm flag: nested virtualization is incomplete)';
    return {
      ...base,
      usable: false,
      probeMs: longMode.ms,
      reason: `KVM present but not usable: ${longMode.detail}${flagNote}`,
    };
  }
  if (!probeKernel) {
    return {
      ...base,
      usable: true,
      probeMs: longMode.ms,
      reason: `KVM usable: a probe guest ${longMode.detail}`,
    };
  }
  await access.grant({ readOnly: [probeKernel.kernel, probeKernel.initrd] });
  const linux = await probeLinuxBoot(binary, 'kvm', probeKernel, LINUX_PROBE_MS, runAs);
  const ms = longMode.ms + linux.ms;
  return linux.ok
    ? { ...base, usable: true, probeMs: ms, reason: `KVM usable: a probe guest ${linux.detail}` }
    : {
        ...base,
        usable: false,
        probeMs: ms,
        reason: `KVM present but not usable: ${linux.detail} (nested virtualization?)`,
      };
}

/** Host facts for `/api/host`; the KVM probe runs once per server, on first need. */
export class HostCapabilities {
  private kvmPromise: Promise<KvmStatus> | undefined;
  private versionPromise: Promise<string> | undefined;
  private cpuModelsPromise: Promise<string[]> | undefined;

  constructor(
    private readonly qemuBinary: string,
    readonly defaultAccel: Accel,
    private readonly imagesDir: string,
    /** Who qemu runs as: the probe guests run so too. */
    readonly qemuAccess: QemuAccess,
    private readonly ovmfDir?: string,
    /** Where the host's USB devices are listed (sysfs). */
    private readonly usbSysfs: string = SYSFS_USB,
  ) {}

  /** The USB devices plugged into the host now. */
  usb(): Promise<HostUsbScan> {
    return scanHostUsb(this.usbSysfs);
  }

  kvm(): Promise<KvmStatus> {
    this.kvmPromise ??= this.probeKernel()
      .then((k) => detectKvm(this.qemuBinary, this.qemuAccess, k))
      .catch(async (err: unknown) => {
        // Not kept: once scripts/setup has made the user, the next ask probes.
        this.kvmPromise = undefined;
        const devKvm = await devKvmStatus(this.qemuAccess);
        const why = err instanceof Error ? err.message : String(err);
        return {
          present: devKvm.exists,
          usable: false,
          reason: `KVM not checked: ${why}`,
          cpuFlag: await cpuVirtFlag(),
          devKvm,
          probeMs: null,
        };
      });
    return this.kvmPromise;
  }

  qemuVersion(): Promise<string> {
    this.versionPromise ??= qemuVersion(this.qemuBinary);
    return this.versionPromise;
  }

  /** qemu's named CPU models; asked once (an unrunnable qemu is asked again next time). */
  cpuModels(): Promise<string[]> {
    this.cpuModelsPromise ??= qemuCpuModels(this.qemuBinary).catch((err: unknown) => {
      this.cpuModelsPromise = undefined;
      throw err;
    });
    return this.cpuModelsPromise;
  }

  limits(): { cpus: number; memoryBytes: number } {
    return { cpus: os.cpus().length, memoryBytes: os.totalmem() };
  }

  /** Bridges and taps a NIC can use; read again on every call (interfaces come and go). */
  network(): Promise<HostNetwork> {
    return hostNetwork();
  }

  /** Why qemu could not open the NIC's tap (bridge and tap modes), if it could not. */
  nicProblem(network: { mode: string; tap?: string }): Promise<string | undefined> {
    return tapAccessProblem(this.qemuAccess, network);
  }

  /** OVMF builds; looked up again on every call. */
  firmware(): Promise<HostFirmware> {
    return hostFirmware(this.ovmfDir);
  }

  async info(): Promise<HostInfo> {
    const [version, kvm, network, firmware, confinement, storage, cpu, cpuModels, tpm, pages] =
      await Promise.all([
        this.qemuVersion().catch(() => 'not found'),
        this.kvm(),
        this.network(),
        this.firmware(),
        this.qemuAccess.user.describe(),
        fs.statfs(this.imagesDir).then(
          (s) => ({ freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }),
          () => undefined,
        ),
        hostCpu(),
        this.cpuModels().catch(() => []),
        swtpmProblem(),
        hugePages(),
      ]);
    return {
      hostname: os.hostname(),
      qemu: { version, binary: this.qemuBinary, confinement },
      accel: { default: this.defaultAccel, auto: kvm.usable ? 'kvm' : 'tcg', kvm },
      ...this.limits(),
      network,
      firmware: { uefi: firmware.uefi, secureBoot: firmware.secureBoot },
      tpm: tpm === undefined ? { swtpm: true } : { swtpm: false, problem: tpm },
      cpu: { ...cpu, qemuModels: cpuModels },
      ...(storage === undefined ? {} : { storage }),
      ...(pages === undefined ? {} : { hugepages: pages }),
    };
  }

  /** The test guest's kernel, when setup put it into the images dir, makes the probe boot real Linux. */
  private async probeKernel(): Promise<{ kernel: string; initrd: string } | undefined> {
    const kernel = path.join(this.imagesDir, 'tinylinux.vmlinuz');
    const initrd = path.join(this.imagesDir, 'tinylinux.initrd');
    const ok = await Promise.all([fs.access(kernel), fs.access(initrd)]).then(
      () => true,
      () => false,
    );
    return ok ? { kernel, initrd } : undefined;
  }
}
