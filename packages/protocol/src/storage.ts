import { z } from 'zod';
import { hasControl } from './auth.ts';
import { ImageNameSchema } from './names.ts';
import { DiskBusSchema, DiskCacheSchema, DiskDiscardSchema, DiskOptionsSchema } from './disks.ts';
import { NewDiskSchema } from './vm-config.ts';

/**
 * Disk slots of a VM. A disk keeps its slot for life (across hot-plug, unplug and restarts): qemu names its
 * nodes `disk<slot>-file` / `disk<slot>` and its device `virtio-disk<slot>` from it.
 */
export const MAX_DISKS = 8;

/** A disk slot, e.g. `:index` of `DELETE /api/vms/:id/disks/:index`. */
export const DiskIndexSchema = z
  .number()
  .int('a disk index is a whole number')
  .min(0)
  .max(MAX_DISKS - 1, `disk indexes go from 0 to ${MAX_DISKS - 1}`);

/** One disk of a VM as `GET /api/vms/:id/disks` lists it. */
export const VmDiskSchema = z.object({
  index: z.number().int(),
  image: z.string(),
  /** qemu-img's format ("qcow2", "raw"); absent when the image cannot be read. */
  format: z.string().optional(),
  virtualSize: z.number().optional(),
  /** qemu's device id and format node name, e.g. `virtio-disk1` and `disk1`. */
  device: z.string(),
  node: z.string(),
  bus: DiskBusSchema,
  cache: DiskCacheSchema,
  discard: DiskDiscardSchema,
  readOnly: z.boolean(),
  /**
   * Only while the guest runs: the disk (or its options) as stored differs from what qemu has, and applies at
   * the next start (a SATA/IDE disk added to a running guest, options changed).
   */
  pending: z.boolean().optional(),
});
export type VmDisk = z.infer<typeof VmDiskSchema>;

/**
 * `POST /api/vms/:id/disks`: attach an image as the next free disk slot, hot-plugged when the VM runs (virtio,
 * scsi, usb); a SATA/IDE disk added to a running VM is stored and applies at the next start (`pending`). With
 * `create`, the image `image` is made first (qemu-img) and removed again when the attach fails. `bus` default
 * `virtio`.
 */
export const AddDiskRequestSchema = z.strictObject({
  image: ImageNameSchema,
  bus: DiskBusSchema.optional(),
  ...DiskOptionsSchema.shape,
  create: NewDiskSchema.optional(),
});
export type AddDiskRequest = z.input<typeof AddDiskRequestSchema>;

/**
 * `PATCH /api/vms/:id/disks/:index`: a disk's cache mode, discard and read-only. The guest's qemu keeps what it
 * has until the next start (the answer's `pending` says so).
 */
export const PatchDiskRequestSchema = DiskOptionsSchema;
export type PatchDiskRequest = z.infer<typeof PatchDiskRequestSchema>;

/** The CD drive (every VM has one; `image` null means it is empty). */
export const VmCdromSchema = z.object({
  image: z.string().nullable(),
  /** Live VMs only (qemu's `query-block`): the tray is open / the guest has locked it (a mounted CD). */
  trayOpen: z.boolean().optional(),
  locked: z.boolean().optional(),
});
export type VmCdrom = z.infer<typeof VmCdromSchema>;

/**
 * `PUT /api/vms/:id/cdrom`: insert an ISO (`image`) or eject (`null`). A guest that mounted the CD locks the
 * tray; qemu then refuses (409 `tray_locked`) unless `force` opens it anyway.
 */
export const ChangeCdromRequestSchema = z.strictObject({
  image: ImageNameSchema.nullable(),
  force: z.boolean().optional(),
});
export type ChangeCdromRequest = z.infer<typeof ChangeCdromRequestSchema>;

/** The error code of a 409 answered when the guest holds the CD tray locked. */
export const TRAY_LOCKED = 'tray_locked';

/**
 * An internal snapshot name. Not all digits: qemu also matches snapshots by their numeric id, so "1" could
 * name another snapshot.
 */
export const SnapshotNameSchema = z
  .string()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .regex(
    /^[A-Za-z_][A-Za-z0-9._-]*$/,
    'start with a letter or "_", then use letters, digits, ".", "_" and "-"',
  );

/** What a snapshot is for, in the user's words: one line of free text. */
export const SnapshotDescriptionSchema = z
  .string()
  .max(500, 'description is longer than 500 characters')
  .refine((s) => !hasControl(s), 'no control characters (one line of text)');

/** `POST /api/vms/:id/snapshots`. */
export const CreateSnapshotRequestSchema = z.strictObject({
  name: SnapshotNameSchema,
  description: SnapshotDescriptionSchema.optional(),
});
export type CreateSnapshotRequest = z.infer<typeof CreateSnapshotRequestSchema>;

/** `PUT /api/vms/:id/snapshots/:name`: a new description ("" clears it). */
export const UpdateSnapshotRequestSchema = z.strictObject({ description: SnapshotDescriptionSchema });
export type UpdateSnapshotRequest = z.infer<typeof UpdateSnapshotRequestSchema>;

/** One internal (qcow2) snapshot of a VM, as held by its disks. */
export const SnapshotSchema = z.object({
  name: z.string(),
  /** When it was taken (ISO 8601). */
  date: z.string(),
  /** Bytes of saved RAM and device state; 0 for a disk-only snapshot. */
  vmStateSize: z.number(),
  /** Taken while running, with RAM: reverting restores the running guest. Disk-only otherwise. */
  withRam: z.boolean(),
  /** Guest run time at the snapshot, in seconds. */
  vmClockSec: z.number(),
  /** The disk slots that hold it; a revert needs it on every disk. */
  disks: z.array(z.number().int()),
  /**
   * The snapshot that was current when virtweb took this one (qcow2 has no such link: virtweb records it).
   * Absent for roots, for snapshots taken otherwise (HMP `savevm`), and when the parent is gone.
   */
  parent: z.string().optional(),
  description: z.string().optional(),
  /** The one the guest last came from: taken or reverted to last (at most one per guest). */
  current: z.boolean(),
  /**
   * Only in the answer that took it: what was done to the guest around it, in words, e.g. "file systems frozen
   * by the guest agent (1 file system)", or why not.
   */
  note: z.string().optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const SnapshotJobKindSchema = z.enum(['snapshot-save', 'snapshot-load', 'snapshot-delete']);
export type SnapshotJobKind = z.infer<typeof SnapshotJobKindSchema>;

/**
 * A snapshot operation in progress (a QMP job for a live VM, qemu-img for a stopped one), published as
 * `vm.storage-job` events until `phase` is `succeeded` or `failed`.
 */
export const StorageJobSchema = z.object({
  jobId: z.string(),
  kind: SnapshotJobKindSchema,
  snapshot: z.string(),
  phase: z.enum(['running', 'succeeded', 'failed']),
  /** qemu's job status (`created`, `running`, `waiting`, `pending`, `concluded`), or `qemu-img`. */
  status: z.string(),
  /** 0..1 when known. */
  progress: z.number().optional(),
  /** qemu's own words when it failed. */
  error: z.string().optional(),
  /** What was done to the guest around it (the guest agent's file system freeze), in words. */
  note: z.string().optional(),
});
export type StorageJob = z.infer<typeof StorageJobSchema>;
