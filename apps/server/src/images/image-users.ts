import type { VmState } from '@virtweb/protocol';

// What the image store asks of whoever runs guests: declared here, answered by the VM service (vms/image-users.ts,
// vms/running-disks.ts) and wired in main.ts, so the images never import the VMs.

/** Which VMs use which image; supplied by the VM service so images can say `usedBy` and refuse deletes. */
export interface ImageUsers {
  /** Ids of the VMs whose definition names the image (or that are attaching it now). */
  of(imageName: string): string[];
  /** A VM's name, for the words of a refusal ("used by VM web1", never its id). */
  nameOf(vmId: string): string;
}

/**
 * An image a VM's qemu has open or is about to: a running (or paused, or stopping) guest's disk can grow
 * online, a CD cannot change size; the disk of a VM that is starting or migrating cannot change at all until
 * that is done (`opening`).
 */
export type RunningUse =
  | { vmId: string; vmName: string; kind: 'disk'; resize: (bytes: number) => Promise<void> }
  | { vmId: string; vmName: string; kind: 'cdrom' }
  | { vmId: string; vmName: string; kind: 'opening'; state: VmState };

/** Which guests' qemu has an image open (or is about to); the VM service's knowledge, asked by the image store. */
export type RunningUsers = (imageName: string, imagePath: string) => RunningUse[];
