import { Router } from 'express';
import {
  AddDiskRequestSchema,
  ChangeCdromRequestSchema,
  CreateSnapshotRequestSchema,
  DiskIndexSchema,
  SnapshotNameSchema,
  VmIdSchema,
} from '@virtweb/protocol';
import type { VmStorage } from '../vms/storage/vm-storage.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/vms/:id/{disks,cdrom,snapshots}`: disks (hot-plugged while the VM runs), the CD drive's medium and
 * internal snapshots. Mounted before the VMs router, whose `POST /:id/:action` would take `/:id/disks`.
 */
export function vmStorageRouter(storage: VmStorage): Router {
  const r = Router();
  const id = (raw: string): string => {
    if (!VmIdSchema.safeParse(raw).success) throw notFound(`VM ${raw}`);
    return raw;
  };
  const index = (raw: string): number => {
    const parsed = /^\d{1,3}$/.test(raw) ? DiskIndexSchema.safeParse(Number(raw)) : undefined;
    if (!parsed?.success) throw notFound(`disk ${raw}`);
    return parsed.data;
  };
  const snapshot = (raw: string): string => parseOr400(SnapshotNameSchema, raw);

  r.get('/:id/disks', async (req, res) => {
    res.json(await storage.disks(id(req.params.id)));
  });
  r.post('/:id/disks', async (req, res) => {
    const vmId = id(req.params.id);
    const body = parseOr400(AddDiskRequestSchema, req.body);
    res.status(201).json(await storage.addDisk(vmId, body.image, body.bus));
  });
  r.delete('/:id/disks/:index', async (req, res) => {
    await storage.removeDisk(id(req.params.id), index(req.params.index));
    res.status(204).end();
  });

  r.get('/:id/cdrom', async (req, res) => {
    res.json(await storage.cdrom(id(req.params.id)));
  });
  r.put('/:id/cdrom', async (req, res) => {
    const vmId = id(req.params.id);
    res.json(await storage.changeCdrom(vmId, parseOr400(ChangeCdromRequestSchema, req.body)));
  });

  r.get('/:id/snapshots', async (req, res) => {
    res.json(await storage.snapshots.list(id(req.params.id)));
  });
  r.post('/:id/snapshots', async (req, res) => {
    const vmId = id(req.params.id);
    const body = parseOr400(CreateSnapshotRequestSchema, req.body);
    res.status(201).json(await storage.snapshots.create(vmId, body.name));
  });
  r.post('/:id/snapshots/:name/revert', async (req, res) => {
    const vmId = id(req.params.id);
    res.json(await storage.snapshots.revert(vmId, snapshot(req.params.name)));
  });
  r.delete('/:id/snapshots/:name', async (req, res) => {
    const vmId = id(req.params.id);
    await storage.snapshots.remove(vmId, snapshot(req.params.name));
    res.status(204).end();
  });
  return r;
}
