import type { ShutdownVia, Vm } from '@virtweb/protocol';
import type { HostCapabilities } from '../host/capabilities.ts';
import type { ImageService } from '../images/image-service.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import { pendingChanges } from './pending-changes.ts';
import type { VmRuntime } from './vm-runtime.ts';
import type { ValidationHost } from './vm-validation.ts';

/** What the guest agent adds to a running VM's view. */
export interface LiveGuestFacts {
  addresses: string[];
  shutdownVia: ShutdownVia | undefined;
}

/** A VM as the API shows it: its definition, state, live process facts and pending settings. */
export function vmView(
  rec: VmRecord,
  rt: VmRuntime | undefined,
  accelReason: string | undefined,
  live?: LiveGuestFacts,
): Vm {
  const { kernel, cdrom, ...d } = rec.definition;
  const pending = rt ? pendingChanges(rt.launched, rec.definition) : [];
  return {
    id: rec.id,
    name: d.name,
    state: rec.state,
    engine: rec.engine,
    os: d.os,
    memoryMiB: d.memoryMiB,
    vcpus: d.vcpus,
    topology: d.topology,
    disks: d.disks,
    ...(cdrom === undefined ? {} : { cdrom }),
    boot: d.boot,
    ...(kernel === undefined ? {} : { kernel }),
    nics: d.nics,
    machine: d.machine,
    firmware: d.firmware,
    noKernelIrqchip: d.noKernelIrqchip,
    balloon: d.balloon,
    clock: d.clock,
    devices: d.devices,
    guestAgent: d.guestAgent,
    usb: d.usb,
    accel: d.accel,
    createdAt: rec.createdAt,
    ...(rt ? { pid: rt.pid, activeAccel: rt.accel } : {}),
    ...(rt?.guest.faults !== undefined && rt.guest.faults.length > 0 ? { faults: [...rt.guest.faults] } : {}),
    ...(live && live.addresses.length > 0 ? { addresses: live.addresses } : {}),
    ...(live?.shutdownVia === undefined ? {} : { shutdownVia: live.shutdownVia }),
    ...(accelReason === undefined ? {} : { accelReason }),
    ...(pending.length > 0 ? { pendingChanges: pending } : {}),
    ...(rec.startedAt === undefined ? {} : { startedAt: rec.startedAt }),
    ...(rec.lastExit === undefined ? {} : { lastExit: rec.lastExit }),
    ...(rec.meta.tags.length > 0 ? { tags: rec.meta.tags } : {}),
    ...(rec.meta.notes === '' ? {} : { notes: rec.meta.notes }),
    ...(rec.meta.autostart.enabled ? { autostart: rec.meta.autostart } : {}),
  };
}

/** The host facts VM definitions are checked against. */
export type HostFacts = Pick<
  HostCapabilities,
  'limits' | 'network' | 'nicProblem' | 'firmware' | 'cpuModels' | 'usb'
>;

/** What the definition checks ask of the host and the stored VMs. */
export function validationHost(repo: VmsRepo, images: ImageService, host: HostFacts): ValidationHost {
  return {
    images,
    limits: host.limits(),
    network: () => host.network(),
    nicProblem: (network) => host.nicProblem(network),
    firmware: () => host.firmware(),
    cpuModels: () => host.cpuModels(),
    vmNamed: (name) => repo.list().find((r) => r.definition.name === name)?.id,
    vmName: (id) => repo.get(id)?.definition.name ?? id,
    vmsWithDisk: (image) =>
      repo
        .list()
        .filter((r) => r.definition.disks.some((d) => d.image === image))
        .map((r) => r.id),
    vmWithMac: (mac, exceptId) =>
      repo.list().find((r) => r.id !== exceptId && r.definition.nics.some((n) => n.mac === mac))?.id,
  };
}
