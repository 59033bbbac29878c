import { z } from 'zod';
import {
  SnapshotSchema,
  VmCdromSchema,
  VmDiskSchema,
  type AddDiskRequest,
  type ChangeCdromRequest,
  type PatchDiskRequest,
  type CreateSnapshotRequest,
  type Snapshot,
  type VmCdrom,
  type VmDisk,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const vmPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}`;
const snapshotPath = (id: string, name: string): string =>
  `${vmPath(id)}/snapshots/${encodeURIComponent(name)}`;

/**
 * Attaches (or with `create` makes, then attaches) a disk; hot-plugged when the VM runs on a bus that allows
 * it, else `pending` (applies at the next start). ApiError 400 unknown image or a bus/option the machine
 * refuses (details name the field), 409 `in_use` / `busy` / `already_exists` / no free slot or port.
 */
export function addDisk(id: string, req: AddDiskRequest): Promise<VmDisk> {
  return requestJson('POST', `${vmPath(id)}/disks`, VmDiskSchema, req);
}

/** A disk's cache, discard and read-only; a running guest gets them at its next start (`pending`). */
export function patchDisk(id: string, index: number, req: PatchDiskRequest): Promise<VmDisk> {
  return requestJson('PATCH', `${vmPath(id)}/disks/${index}`, VmDiskSchema, req);
}

/** Detaches disk slot `index` (the image is kept). ApiError 409 while paused or if the guest holds on. */
export function removeDisk(id: string, index: number): Promise<void> {
  return requestVoid('DELETE', `${vmPath(id)}/disks/${index}`);
}

/** Inserts an ISO (`image`) or ejects (null). ApiError 409 `tray_locked` unless `force`. */
export function changeCdrom(id: string, req: ChangeCdromRequest): Promise<VmCdrom> {
  return requestJson('PUT', `${vmPath(id)}/cdrom`, VmCdromSchema, req);
}

export function listSnapshots(id: string): Promise<Snapshot[]> {
  return requestJson('GET', `${vmPath(id)}/snapshots`, z.array(SnapshotSchema));
}

/** Answers when the snapshot is taken (`vm.storage-job` events meanwhile). ApiError 409 with qemu's words. */
export function createSnapshot(id: string, req: CreateSnapshotRequest): Promise<Snapshot> {
  return requestJson('POST', `${vmPath(id)}/snapshots`, SnapshotSchema, req);
}

/** Sets a snapshot's description ("" clears it). */
export function describeSnapshot(id: string, name: string, description: string): Promise<Snapshot> {
  return requestJson('PUT', snapshotPath(id, name), SnapshotSchema, { description });
}

export function revertSnapshot(id: string, name: string): Promise<Snapshot> {
  return requestJson('POST', `${snapshotPath(id, name)}/revert`, SnapshotSchema);
}

export function deleteSnapshot(id: string, name: string): Promise<void> {
  return requestVoid('DELETE', snapshotPath(id, name));
}
