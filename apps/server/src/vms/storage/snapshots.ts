import { ErrorCode, IMAGE_BUSY, type Snapshot } from '@virtweb/protocol';
import { isQemuImgError } from '@virtweb/qemu';
import type { EventBus } from '../../events/bus.ts';
import { Conflict, NotFound } from '../../domain/errors.ts';
import type { ImageService } from '../../images/image-service.ts';
import type { VmRecord } from '../../store/vms-repo.ts';
import type { VmDefinition } from '../definition.ts';
import { withFrozenFilesystems } from '../../agent/fs-freeze.ts';
import { exitWithin } from '../qemu-death.ts';
import { imageSnapshot, listImageSnapshots, type OfflineDisk } from './qemu-img-snapshots.ts';
import { newJobId, publishedJob, refused, type Report } from './snapshot-jobs.ts';
import { hardwareOf, snapshotDifferences, type SnapshotFacts } from './snapshot-facts.ts';
import { mergeSnapshots, vmStateDisk, type DiskSnapshots } from './snapshot-list.ts';
import { snapshotTree } from './snapshot-tree.ts';
import { liveRevertFailed, reportDisks } from './snapshot-revert.ts';
import { storageMode, type StorageHost, type StorageMode } from './storage-host.ts';

type SlotDisk = OfflineDisk & { index: number; image: string };

/**
 * Internal (qcow2) snapshots of a VM's disks. Running or paused: QMP jobs `snapshot-save` (with RAM and device
 * state, written to the first disk) / `snapshot-load` / `snapshot-delete`. Stopped: `qemu-img snapshot` on
 * every disk (disk-only). Each operation holds the VM's lock, requires the state the operation table names
 * (`snapshot`, `revert`), and is published as `vm.storage-job` events while it runs.
 */
export class VmSnapshots {
  constructor(
    private readonly host: StorageHost,
    private readonly images: ImageService,
    private readonly bus: EventBus,
  ) {}

  /** @throws NotFound, Conflict when qemu or qemu-img cannot read the disks */
  async list(id: string): Promise<Snapshot[]> {
    const rt = this.host.runtime(id);
    const state = this.host.get(id).state;
    const mode: StorageMode =
      rt && (state === 'running' || state === 'paused') ? { live: true, rt } : { live: false };
    const snaps = mergeSnapshots(await this.perDisk(this.host.definition(id), mode));
    return snapshotTree(snaps, this.host.repo.snapshotTree(id));
  }

  /**
   * Takes snapshot `name` and records what it was taken on (disks, sizes, formats, hardware) for reverts, its
   * parent (the current snapshot) and `description`; it becomes the current snapshot.
   * Rollback: whatever part of it qemu or qemu-img wrote on some disks is deleted again.
   * @throws NotFound, Conflict (no disks, name taken, raw disk, busy, qemu refused or died)
   */
  async create(id: string, name: string, description?: string): Promise<Snapshot> {
    return this.host.states.run(id, 'snapshot', `taking snapshot ${name}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = rec.definition;
      if (def.disks.length === 0)
        throw new Conflict(ErrorCode.conflict, `VM ${def.name} has no disk to snapshot`);
      const existing = mergeSnapshots(await this.perDisk(def, mode));
      if (existing.some((s) => s.name === name)) {
        throw new Conflict(ErrorCode.exists, `VM ${def.name} already has a snapshot named ${name}`);
      }
      const facts = await this.factsNow(rec, mode);
      const { current } = this.host.repo.snapshotTree(id);
      const parent = existing.some((s) => s.name === current) ? current : undefined;
      let note: string | undefined;
      await publishedJob(this.bus, id, 'snapshot-save', name, async (jobId, report, noteJob) => {
        if (mode.live) {
          const slots = def.disks.map((d) => d.index);
          const { rt } = mode;
          // Thawed again whatever the save does; the note says whether it was frozen.
          note = (
            await withFrozenFilesystems(this.host.agents.answering(id), () =>
              rt.engine.snapshots.save(rt.guest, name, slots, { jobId, onUpdate: report }),
            )
          ).note;
          noteJob(note);
          return;
        }
        // Formats without internal snapshots go first: qemu-img refuses them before any qcow2 is touched.
        const disks = (await this.slotDisks(def)).sort(
          (a, b) => Number(a.format === 'qcow2') - Number(b.format === 'qcow2'),
        );
        for (const d of disks) await imageSnapshot(this.images.qemuImg, 'create', name, d);
      }).catch(async (err: unknown) => {
        await this.dropPartial(def, mode, name);
        throw refused(err, `cannot take snapshot ${name}`);
      });
      const taken = await this.find(id, name);
      this.host.repo.saveSnapshotFacts(id, name, { ...facts, date: taken.date }, { parent, description });
      const answer = await this.find(id, name);
      return note === undefined ? answer : { ...answer, note };
    });
  }

  /**
   * Reverts every disk (and, live, the RAM and devices) to snapshot `name`. First compares the snapshot with
   * now (disks attached or detached since, sizes, formats, buses, the running qemu's hardware) and refuses with
   * what differs before touching anything. A revert that fails part-way says what each disk holds; live, the
   * guest is powered off then (see snapshot-revert.ts). Once reverted, `name` is the current snapshot.
   * @throws NotFound (no such snapshot), Conflict (differs from now, disk-only while running, busy, qemu
   *   refused or died)
   */
  async revert(id: string, name: string): Promise<Snapshot> {
    return this.host.states.run(id, 'revert', `reverting to snapshot ${name}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = rec.definition;
      const perDisk = await this.perDisk(def, mode);
      const snap = mergeSnapshots(perDisk).find((s) => s.name === name);
      if (!snap) throw new NotFound(`snapshot ${name} of VM ${def.name}`);
      const problems = def.disks
        .filter((d) => !snap.disks.includes(d.index))
        .map((d) => `disk ${d.index} (${d.image}) has no snapshot ${name} (attached after it was taken)`);
      const recorded = this.host.repo.snapshotFacts(id, name);
      if (recorded && (recorded.date === undefined || recorded.date === snap.date)) {
        problems.push(...snapshotDifferences(recorded, await this.factsNow(rec, mode)));
      }
      if (problems.length > 0) {
        throw new Conflict(
          ErrorCode.conflict,
          `cannot revert to snapshot ${name}: ${[...new Set(problems)].join('; ')}`,
        );
      }
      const stateDisk = vmStateDisk(perDisk, name);
      if (mode.live && stateDisk === undefined) {
        throw new Conflict(
          ErrorCode.wrongState,
          `snapshot ${name} is disk-only (taken while the VM was stopped): power the VM off to revert to it`,
        );
      }
      const disks = await this.slotDisks(def);
      const target = { qemuImg: this.images.qemuImg, disks, name };
      await publishedJob(this.bus, id, 'snapshot-load', name, async (jobId, report) => {
        if (mode.live) {
          const { engine, guest } = mode.rt;
          const slots = def.disks.map((d) => d.index);
          const job = { jobId, onUpdate: report };
          await engine.snapshots.load(guest, name, slots, stateDisk ?? 0, job).catch(async (err: unknown) => {
            throw await liveRevertFailed(this.host.states, id, mode.rt, target, err);
          });
          // A snapshot taken live holds the file systems frozen by the guest agent.
          void this.host.agents.thawRestored(id);
          return;
        }
        for (const d of disks) {
          await imageSnapshot(this.images.qemuImg, 'apply', name, d).catch(async (err: unknown) => {
            const report = await reportDisks(target);
            const why = isQemuImgError(err) ? err.stderr || err.message : String(err);
            throw new Conflict(
              ErrorCode.qemuFailed,
              `cannot revert to snapshot ${name}: ${why}. ${report.summary}`,
              report.details,
            );
          });
        }
      }).catch((err: unknown) => {
        throw refused(err, `cannot revert to snapshot ${name}`);
      });
      this.host.repo.setCurrentSnapshot(id, name);
      return this.find(id, name);
    });
  }

  /**
   * Deletes snapshot `name` from every disk that holds it, and what was recorded of it (its children get its
   * parent; if it was current, its parent becomes current). Requires: the
   * `snapshot` operation's states. Rollback: none possible; a delete that fails part-way leaves the name on the
   * disks it did not reach (the list shows which), and deleting again finishes it.
   * @throws NotFound (no such snapshot), Conflict (busy, qemu refused or died)
   */
  async remove(id: string, name: string): Promise<void> {
    await this.host.states.run(id, 'snapshot', `deleting snapshot ${name}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = rec.definition;
      const snap = mergeSnapshots(await this.perDisk(def, mode)).find((s) => s.name === name);
      if (!snap) throw new NotFound(`snapshot ${name} of VM ${def.name}`);
      await publishedJob(this.bus, id, 'snapshot-delete', name, (jobId, report) =>
        this.deleteOn(def, mode, name, snap.disks, jobId, report),
      ).catch((err: unknown) => {
        throw refused(err, `cannot delete snapshot ${name}`);
      });
      this.host.repo.deleteSnapshotFacts(id, name);
    });
  }

  /**
   * Sets snapshot `name`'s description ("" clears it). Changes nothing on the disks, so no state is required.
   * @throws NotFound (no such VM or snapshot), Conflict when the disks cannot be read
   */
  async describe(id: string, name: string, description: string): Promise<Snapshot> {
    const def = this.host.definition(id);
    if (!(await this.list(id)).some((s) => s.name === name)) {
      throw new NotFound(`snapshot ${name} of VM ${def.name}`);
    }
    this.host.repo.describeSnapshot(id, name, description);
    return this.find(id, name);
  }

  /** Deletes snapshot `name` from disk slots `slots`: a QMP job while qemu runs, else qemu-img. */
  private async deleteOn(
    def: VmDefinition,
    mode: StorageMode,
    name: string,
    slots: number[],
    jobId: string,
    report: Report,
  ): Promise<void> {
    if (mode.live) {
      await mode.rt.engine.snapshots.delete(mode.rt.guest, name, slots, { jobId, onUpdate: report });
      return;
    }
    const disks = (await this.slotDisks(def)).filter((d) => slots.includes(d.index));
    for (const d of disks) await imageSnapshot(this.images.qemuImg, 'delete', name, d);
  }

  /**
   * The rollback of a failed create: snapshot `name` (new, it did not exist before) deleted from the disks it
   * reached, by qemu while it runs, else by qemu-img on the files (qemu died, or the VM is stopped).
   */
  private async dropPartial(def: VmDefinition, mode: StorageMode, name: string): Promise<void> {
    let live = mode;
    if (mode.live && mode.rt.guest.qmp.state !== 'ready') {
      // qemu is going: once it is gone, its files are free for qemu-img.
      await exitWithin(mode.rt, 5000);
      live = { live: false };
    }
    try {
      const perDisk = await this.perDisk(def, live);
      const slots = perDisk.filter((d) => d.snapshots.some((s) => s.name === name)).map((d) => d.index);
      if (slots.length === 0) return;
      await this.deleteOn(def, live, name, slots, newJobId('snapshot-delete'), () => undefined);
    } catch {
      // Best effort: the snapshot list shows what is left.
    }
  }

  /** What the VM is now, as a snapshot records it: its disks (sizes from the files) and, live, its hardware. */
  private async factsNow(rec: VmRecord, mode: StorageMode): Promise<SnapshotFacts> {
    const disks = await Promise.all(
      rec.definition.disks.map(async (d) => {
        const image = await this.images.get(d.image).catch((err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          throw new Conflict(ErrorCode.conflict, `disk ${d.index} (${d.image}) cannot be read: ${why}`);
        });
        return {
          index: d.index,
          image: d.image,
          format: d.format ?? image.format,
          bus: d.bus,
          virtualSize: image.virtualSize,
        };
      }),
    );
    if (!mode.live) return { withRam: false, disks };
    return { withRam: true, disks, hardware: hardwareOf(mode.rt.launched, mode.rt.accel) };
  }

  private async find(id: string, name: string): Promise<Snapshot> {
    const snap = (await this.list(id)).find((s) => s.name === name);
    if (!snap) throw new NotFound(`snapshot ${name}`);
    return snap;
  }

  /** Each disk's snapshot table: from qemu's open images when live, else qemu-img (-U) on the files. */
  private async perDisk(def: VmDefinition, mode: StorageMode): Promise<DiskSnapshots[]> {
    try {
      if (mode.live) {
        const slots = def.disks.map((d) => d.index);
        return await mode.rt.engine.snapshots.list(mode.rt.guest, slots);
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

  /** The disks' files and formats. @throws Conflict while an image operation holds one of them */
  private async slotDisks(def: VmDefinition): Promise<SlotDisk[]> {
    return Promise.all(
      def.disks.map(async (d) => {
        const op = this.images.locks.operationOn(d.image);
        if (op !== undefined) throw new Conflict(IMAGE_BUSY, `image ${d.image} is busy: ${op} in progress`);
        return {
          ...d,
          path: this.images.path(d.image),
          format: d.format ?? (await this.images.formatOf(d.image)),
        };
      }),
    );
  }
}
