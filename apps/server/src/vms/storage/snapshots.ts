import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  IMAGE_BUSY,
  type Snapshot,
  type SnapshotJobKind,
  type StorageJob,
} from '@virtweb/protocol';
import { diskIds, isQemuImgError } from '@virtweb/qemu';
import type { EventBus } from '../../events/bus.ts';
import { conflict, HttpError, notFound } from '../../http/errors.ts';
import type { ImageService } from '../../images/image-service.ts';
import type { VmDefinition } from '../definition.ts';
import { imageSnapshot, listImageSnapshots, type OfflineDisk } from './qemu-img-snapshots.ts';
import { QmpJobError, runQmpJob, type JobUpdate } from './qmp-jobs.ts';
import { mergeSnapshots, vmStateDisk, type DiskSnapshots } from './snapshot-list.ts';
import {
  qemuRefused,
  storageMode,
  type StorageHost,
  type StorageMode,
  type VmOperationLocks,
} from './storage-host.ts';

type Report = (update: JobUpdate) => void;

/** Ids of the QMP jobs virtweb starts (`vw-snapshot-save-1a2b3c4d`). */
export const JOB_ID_PREFIX = 'vw-';
type SlotDisk = OfflineDisk & { index: number; image: string };

/**
 * Internal (qcow2) snapshots of a VM's disks. Running or paused: QMP jobs `snapshot-save` (with RAM and device
 * state, written to the first disk) / `snapshot-load` / `snapshot-delete`. Stopped: `qemu-img snapshot` on
 * every disk (disk-only). Each operation is published as `vm.storage-job` events while it runs.
 */
export class VmSnapshots {
  constructor(
    private readonly host: StorageHost,
    private readonly images: ImageService,
    private readonly bus: EventBus,
    private readonly locks: VmOperationLocks,
  ) {}

  /** @throws HttpError 404, 409 when qemu or qemu-img cannot read the disks */
  async list(id: string): Promise<Snapshot[]> {
    const rt = this.host.runtime(id);
    const state = this.host.get(id).state;
    const mode: StorageMode =
      rt && (state === 'running' || state === 'paused') ? { live: true, rt } : { live: false };
    return mergeSnapshots(await this.perDisk(id, mode));
  }

  /** @throws HttpError 404, 409 (no disks, name taken, raw disk, busy, qemu refused) */
  async create(id: string, name: string): Promise<Snapshot> {
    return this.locks.with(id, `snapshot ${name}`, async () => {
      const mode = storageMode(this.host, id);
      const def = this.host.definition(id);
      if (def.disks.length === 0)
        throw conflict(ErrorCode.conflict, `VM ${def.name} has no disk to snapshot`);
      const existing = mergeSnapshots(await this.perDisk(id, mode));
      if (existing.some((s) => s.name === name)) {
        throw conflict(ErrorCode.exists, `VM ${def.name} already has a snapshot named ${name}`);
      }
      await this.job(id, 'snapshot-save', name, async (jobId, report) => {
        if (mode.live) {
          const nodes = def.disks.map((d) => diskIds(d.index).node);
          const qmp = mode.rt.proc.qmp;
          const [vmstate = ''] = nodes;
          const start = () =>
            qmp.execute('snapshot-save', { 'job-id': jobId, tag: name, vmstate, devices: nodes });
          await runQmpJob(qmp, { jobId, start, onUpdate: report });
          return;
        }
        // Formats without internal snapshots go first: qemu-img refuses them before any qcow2 is touched.
        const disks = (await this.slotDisks(def)).sort(
          (a, b) => Number(a.format === 'qcow2') - Number(b.format === 'qcow2'),
        );
        const done: SlotDisk[] = [];
        try {
          for (const d of disks) {
            await imageSnapshot(this.images.qemuImg, 'create', name, d);
            done.push(d);
          }
        } catch (err) {
          for (const d of done)
            await imageSnapshot(this.images.qemuImg, 'delete', name, d).catch(() => undefined);
          throw err;
        }
      }).catch((err: unknown) => {
        throw refused(err, `cannot take snapshot ${name}`);
      });
      return this.find(id, name);
    });
  }

  /**
   * Reverts every disk (and, live, the RAM and devices) to snapshot `name`.
   * @throws HttpError 404 (no such snapshot), 409 (not on every disk, disk-only while running, qemu refused)
   */
  async revert(id: string, name: string): Promise<Snapshot> {
    return this.locks.with(id, `revert to ${name}`, async () => {
      const mode = storageMode(this.host, id);
      const def = this.host.definition(id);
      const perDisk = await this.perDisk(id, mode);
      const snap = mergeSnapshots(perDisk).find((s) => s.name === name);
      if (!snap) throw notFound(`snapshot ${name} of VM ${def.name}`);
      const missing = def.disks.filter((d) => !snap.disks.includes(d.index)).map((d) => d.index);
      if (missing.length > 0) {
        throw conflict(
          ErrorCode.conflict,
          `snapshot ${name} is not on disk ${missing.join(', ')} (attached after it was taken): detach it to revert`,
        );
      }
      const stateDisk = vmStateDisk(perDisk, name);
      if (mode.live && stateDisk === undefined) {
        throw conflict(
          ErrorCode.wrongState,
          `snapshot ${name} is disk-only (taken while the VM was stopped): power the VM off to revert to it`,
        );
      }
      await this.job(id, 'snapshot-load', name, async (jobId, report) => {
        if (mode.live) {
          const qmp = mode.rt.proc.qmp;
          const devices = def.disks.map((d) => diskIds(d.index).node);
          const vmstate = diskIds(stateDisk ?? 0).node;
          const start = () => qmp.execute('snapshot-load', { 'job-id': jobId, tag: name, vmstate, devices });
          await runQmpJob(qmp, { jobId, start, onUpdate: report }).catch((err: unknown) => {
            // NOTE: qemu stops the guest for the load and, when the load fails, leaves it stopped.
            if (err instanceof QmpJobError) err.message += ' (qemu left the guest paused)';
            throw err;
          });
          return;
        }
        for (const d of await this.slotDisks(def)) await imageSnapshot(this.images.qemuImg, 'apply', name, d);
      }).catch((err: unknown) => {
        throw refused(err, `cannot revert to snapshot ${name}`);
      });
      return snap;
    });
  }

  /** @throws HttpError 404 (no such snapshot), 409 (busy, qemu refused) */
  async remove(id: string, name: string): Promise<void> {
    await this.locks.with(id, `delete ${name}`, async () => {
      const mode = storageMode(this.host, id);
      const def = this.host.definition(id);
      const snap = mergeSnapshots(await this.perDisk(id, mode)).find((s) => s.name === name);
      if (!snap) throw notFound(`snapshot ${name} of VM ${def.name}`);
      await this.job(id, 'snapshot-delete', name, async (jobId, report) => {
        if (mode.live) {
          const qmp = mode.rt.proc.qmp;
          const devices = snap.disks.map((i) => diskIds(i).node);
          const start = () => qmp.execute('snapshot-delete', { 'job-id': jobId, tag: name, devices });
          await runQmpJob(qmp, { jobId, start, onUpdate: report });
          return;
        }
        const disks = (await this.slotDisks(def)).filter((d) => snap.disks.includes(d.index));
        for (const d of disks) await imageSnapshot(this.images.qemuImg, 'delete', name, d);
      }).catch((err: unknown) => {
        throw refused(err, `cannot delete snapshot ${name}`);
      });
    });
  }

  private async find(id: string, name: string): Promise<Snapshot> {
    const snap = (await this.list(id)).find((s) => s.name === name);
    if (!snap) throw notFound(`snapshot ${name}`);
    return snap;
  }

  /** Each disk's snapshot table: from qemu's open images when live, else qemu-img (-U) on the files. */
  private async perDisk(id: string, mode: StorageMode): Promise<DiskSnapshots[]> {
    const def = this.host.definition(id);
    try {
      if (mode.live) {
        const nodes = await mode.rt.proc.qmp.execute('query-named-block-nodes', { flat: true });
        return def.disks.map((d) => ({
          index: d.index,
          snapshots: nodes.find((n) => n['node-name'] === diskIds(d.index).node)?.image.snapshots ?? [],
        }));
      }
      const disks = await this.slotDisks(def);
      return await Promise.all(
        disks.map(async (d) => ({
          index: d.index,
          snapshots: await listImageSnapshots(this.images.qemuImg, d),
        })),
      );
    } catch (err) {
      throw refused(err, `cannot read the snapshots of VM ${def.name}`);
    }
  }

  /** The disks' files and formats. @throws HttpError 409 while an image operation holds one of them */
  private async slotDisks(def: VmDefinition): Promise<SlotDisk[]> {
    return Promise.all(
      def.disks.map(async (d) => {
        const op = this.images.locks.operationOn(d.image);
        if (op !== undefined) throw conflict(IMAGE_BUSY, `image ${d.image} is busy: ${op} in progress`);
        return {
          ...d,
          path: this.images.path(d.image),
          format: d.format ?? (await this.images.formatOf(d.image)),
        };
      }),
    );
  }

  /** Runs one snapshot operation, publishing it as `vm.storage-job` events from start to end. */
  private async job(
    id: string,
    kind: SnapshotJobKind,
    snapshot: string,
    run: (jobId: string, report: Report) => Promise<void>,
  ): Promise<void> {
    const jobId = `${JOB_ID_PREFIX}${kind}-${randomBytes(4).toString('hex')}`;
    const publish = (job: Omit<StorageJob, 'jobId' | 'kind' | 'snapshot'>) =>
      this.bus.publish({ type: 'vm.storage-job', id, job: { jobId, kind, snapshot, ...job } });
    publish({ phase: 'running', status: 'created' });
    try {
      await run(jobId, (u) => publish({ phase: 'running', ...u }));
      publish({ phase: 'succeeded', status: 'concluded', progress: 1 });
    } catch (err) {
      const error = err instanceof QmpJobError ? err.message : err instanceof Error ? err.message : 'failed';
      publish({
        phase: 'failed',
        status: 'concluded',
        error: isQemuImgError(err) ? err.stderr || error : error,
      });
      throw err;
    }
  }
}

/** qemu's and qemu-img's refusals as 409 with their own words. */
function refused(err: unknown, what: string): unknown {
  if (err instanceof HttpError) return err;
  let text: string | undefined;
  if (err instanceof QmpJobError) text = `qemu says: ${err.message}`;
  else if (isQemuImgError(err)) text = err.stderr || err.message;
  if (text === undefined) return qemuRefused(err, what);
  const hint = /does not support snapshots|Operation not supported/.test(text)
    ? ' (only qcow2 images have internal snapshots: convert raw disks to qcow2)'
    : '';
  return new HttpError(409, ErrorCode.qemuFailed, `${what}: ${text}${hint}`);
}
