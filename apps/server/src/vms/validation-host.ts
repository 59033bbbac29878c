// The shapes of the definition checks (vm-validation.ts and the checks it delegates to, e.g. nic-validation.ts).
import type { HostFirmware } from '../host/firmware.ts';
import type { HostNetwork } from '../host/host-network.ts';
import type { ImageService } from '../images/image-service.ts';
import type { VmDefinition } from './definition.ts';

/** One thing wrong with a definition, at a field path of the request (`disks.1.image`), as the UI shows it. */
export interface Issue {
  path: string;
  message: string;
  /** `invalid`: the request cannot work; `clash`: it clashes with what exists (a name, an image in use). */
  kind: 'invalid' | 'clash';
  code: string;
}

/** What the checks need to know about the host and the other VMs. */
export interface ValidationHost {
  images: ImageService;
  limits: { cpus: number; memoryBytes: number };
  network(): Promise<HostNetwork>;
  /** Why qemu's user could not open the NIC's tap (bridge and tap modes), if it could not. */
  nicProblem(nic: VmDefinition['nics'][number]): Promise<string | undefined>;
  firmware(): Promise<HostFirmware>;
  /** qemu's named CPU models. */
  cpuModels(): Promise<string[]>;
  /** The id of the VM that has this name, if any. */
  vmNamed(name: string): string | undefined;
  /** The display name of a VM id (for messages). */
  vmName(id: string): string;
  /** The VMs that have `image` as a disk. */
  vmsWithDisk(image: string): string[];
  /** The id of a VM other than `exceptId` that has a NIC with this MAC, if any. */
  vmWithMac(mac: string, exceptId?: string): string | undefined;
}

export interface ValidationScope {
  /** The VM being edited or started (its own name and images are not clashes). */
  vmId?: string;
  /** A VM being created from a request (not edited, started or cloned): the stricter boot rule applies. */
  fromRequest?: boolean;
  /** Slots of disks that the request creates: their image must not exist yet (checked with their `create`). */
  creating?: ReadonlyMap<number, { sizeBytes: number }>;
  /**
   * Slots of disks that are new to the VM: their image must not be another VM's disk or back other images.
   * Default: every disk.
   */
  attaching?: ReadonlySet<number>;
  /** At start: every disk must back no other image (writing to it would corrupt the overlays). */
  starting?: boolean;
}
