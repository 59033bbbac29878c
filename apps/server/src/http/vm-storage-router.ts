import type { Router } from 'express';
import {
  AddDiskRequestSchema,
  ChangeCdromRequestSchema,
  CreateSnapshotRequestSchema,
  DiskIndexSchema,
  PatchDiskRequestSchema,
  SnapshotNameSchema,
  UpdateSnapshotRequestSchema,
} from '@virtweb/protocol';
import type { VmStorage } from '../vms/storage/vm-storage.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/vms/:id/{disks,cdrom,snapshots}` (on the VMs router): disks (hot-plugged while the VM runs, their
 * options changed for the next start), the CD
 * drive's medium and internal snapshots.
 */
export function vmStorageRoutes(r: Router, storage: VmStorage): void {
  const index = (raw: string): number => {
    const parsed = /^\d{1,3}$/.test(raw) ? DiskIndexSchema.safeParse(Number(raw)) : undefined;
    if (!parsed?.success) throw notFound(`disk ${raw}`);
    return parsed.data;
  };
  const snapshot = (raw: string): string => parseOr400(SnapshotNameSchema, raw);

  r.get('/:id/disks', async (req, res) => {
    res.json(await storage.disks(req.params.id));
  });
  r.post('/:id/disks', async (req, res) => {
    const body = parseOr400(AddDiskRequestSchema, req.body);
    res.status(201).json(await storage.addDisk(req.params.id, body));
  });
  r.patch('/:id/disks/:index', async (req, res) => {
    const at = index(req.params.index);
    res.json(await storage.patchDisk(req.params.id, at, parseOr400(PatchDiskRequestSchema, req.body)));
  });
  r.delete('/:id/disks/:index', async (req, res) => {
    await storage.removeDisk(req.params.id, index(req.params.index));
    res.status(204).end();
  });

  r.get('/:id/cdrom', async (req, res) => {
    res.json(await storage.cdrom(req.params.id));
  });
  r.put('/:id/cdrom', async (req, res) => {
    res.json(await storage.changeCdrom(req.params.id, parseOr400(ChangeCdromRequestSchema, req.body)));
  });

  r.get('/:id/snapshots', async (req, res) => {
    res.json(await storage.snapshots.list(req.params.id));
  });
  r.post('/:id/snapshots', async (req, res) => {
    const body = parseOr400(CreateSnapshotRequestSchema, req.body);
    res.status(201).json(await storage.snapshots.create(req.params.id, body.name, body.description));
  });
  r.put('/:id/snapshots/:name', async (req, res) => {
    const name = snapshot(req.params.name);
    const body = parseOr400(UpdateSnapshotRequestSchema, req.body);
    res.json(await storage.snapshots.describe(req.params.id, name, body.description));
  });
  r.post('/:id/snapshots/:name/revert', async (req, res) => {
    res.json(await storage.snapshots.revert(req.params.id, snapshot(req.params.name)));
  });
  r.delete('/:id/snapshots/:name', async (req, res) => {
    await storage.snapshots.remove(req.params.id, snapshot(req.params.name));
    res.status(204).end();
  });
}
