import { z } from 'zod';
import {
  BalloonInfoSchema,
  GuestAgentInfoSchema,
  type GuestAgentInfo,
  CommandLineSchema,
  VmSchema,
  Windows11ReadinessSchema,
  type Windows11Readiness,
  type BalloonInfo,
  type CloneVmRequest,
  type CommandLine,
  type CreateVmRequest,
  type DeleteVmRequest,
  type UpdateVmRequest,
  type Vm,
  type VmAction,
  type VmLabelsInput,
  type AutostartInput,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const VmListSchema = z.array(VmSchema);

const vmPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}`;

export function listVms(): Promise<Vm[]> {
  return requestJson('GET', '/api/vms', VmListSchema);
}

export function getVm(id: string): Promise<Vm> {
  return requestJson('GET', vmPath(id), VmSchema);
}

export function createVm(req: CreateVmRequest): Promise<Vm> {
  return requestJson('POST', '/api/vms', VmSchema, req);
}

/**
 * Replaces the whole configuration. While qemu runs the change is stored for the next start
 * (`pendingChanges`); changing disks or the CD then answers 409 (the Storage tab changes those live).
 */
export function updateVm(id: string, req: UpdateVmRequest): Promise<Vm> {
  return requestJson('PUT', vmPath(id), VmSchema, req);
}

/** Copies a stopped VM (each disk copied or overlaid); 409 while it runs. Answers the new VM. */
export function cloneVm(id: string, req: CloneVmRequest): Promise<Vm> {
  return requestJson('POST', `${vmPath(id)}/clone`, VmSchema, req);
}

/**
 * Deletes the definition and the images listed in `req.deleteImages`. Throws ApiError 409 while the guest
 * runs, or when an image to delete is used by another VM or backs an overlay.
 */
export function deleteVm(id: string, req?: DeleteVmRequest): Promise<void> {
  return requestVoid('DELETE', vmPath(id), req);
}

/** Asks for a lifecycle change (202); the final state arrives as a `vm.updated` event. 409 `wrong_state`. */
export function vmAction(id: string, action: VmAction): Promise<Vm> {
  return requestJson('POST', `${vmPath(id)}/${action}`, VmSchema);
}

/** What the guest lacks for Windows 11, as defined (its disks' sizes from the image store). */
export function getWindows11Readiness(id: string): Promise<Windows11Readiness> {
  return requestJson('GET', `${vmPath(id)}/windows11`, Windows11ReadinessSchema);
}

/** The qemu command line the guest's next start uses (built from the stored configuration). */
export function getCommandLine(id: string): Promise<CommandLine> {
  return requestJson('GET', `${vmPath(id)}/command-line`, CommandLineSchema);
}

/** What the guest's agent last said, or why there is none (`connected: false` and a reason). */
export function getGuestAgent(id: string): Promise<GuestAgentInfo> {
  return requestJson('GET', `${vmPath(id)}/agent`, GuestAgentInfoSchema);
}

/** Throws ApiError 409 while the guest does not run or runs without a balloon device. */
export function getBalloon(id: string): Promise<BalloonInfo> {
  return requestJson('GET', `${vmPath(id)}/balloon`, BalloonInfoSchema);
}

/**
 * Sets the running guest's memory through its balloon driver; the guest follows over the next seconds.
 * Throws ApiError 400 above the memory the guest started with, 409 without a balloon device.
 */
export function setBalloon(id: string, targetMiB: number): Promise<BalloonInfo> {
  return requestJson('POST', `${vmPath(id)}/balloon`, BalloonInfoSchema, { targetMiB });
}

/** Replaces the guest's tags and notes (any state, at once); 400 names the bad tag or the notes. */
export function setVmLabels(id: string, labels: VmLabelsInput): Promise<Vm> {
  return requestJson('PUT', `${vmPath(id)}/labels`, VmSchema, labels);
}

/** Whether, in which order and with which pause after it the guest starts with the host. */
export function setVmAutostart(id: string, autostart: AutostartInput): Promise<Vm> {
  return requestJson('PUT', `${vmPath(id)}/autostart`, VmSchema, autostart);
}
