import {
  ErrorCode,
  HOTPLUG_DISK_BUSES,
  type AddDiskRequestSchema,
  type ChangeCdromRequest,
  type PatchDiskRequest,
  type VmCdrom,
  type VmDisk,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { UnplugTimeoutError } from '../../engine/errors.ts';
import type { EventBus } from '../../events/bus.ts';
import { Conflict, NotFound } from '../../domain/errors.ts';
import type { ImageService } from '../../images/image-service.ts';
import { storeNameOf } from '../../images/image-paths.ts';
import type { VmRuntime } from '../vm-runtime.ts';
import {
  assertOptionsFit,
  definedDisk,
  diskView,
  patchedDisk,
  slotForNewDisk,
  withOptions,
} from './disk-placement.ts';
import { imageForCdrom, imageForDisk } from './image-checks.ts';
import { VmSnapshots } from './snapshots.ts';
import { qemuRefused } from './qemu-refused.ts';
import { storageMode, type StorageHost } from './storage-host.ts';

// NOTE: qemu 7.2 has no hot-plug for IDE/SATA disks (ide-hd is not hot-pluggable on PIIX or ICH9 AHCI).
const IDE_NOT_HOTPLUG =
  'SATA and IDE disks cannot be unplugged from a running guest: power the VM off to remove it, or use a virtio disk';

/**
 * Disks and CD of the VMs: on a running guest through QMP (hot-plug, media change), on a stopped one in the
 * definition only; either way the definition follows, so a restart keeps the change. Every change holds the
 * VM's lock (`states.run`): never during a start, a stop, a migration or another change of the VM.
 */
export class VmStorage {
  readonly snapshots: VmSnapshots;
  /** Images being attached right now, and to which VM (two VMs must not both take one; it is in use already). */
  private readonly claimed = new Map<string, string>();

  constructor(
    private readonly host: StorageHost,
    private readonly images: ImageService,
    bus: EventBus,
  ) {
    this.snapshots = new VmSnapshots(host, images, bus);
  }

  /** The VM attaching `image` right now, if any (it counts among the image's users). */
  attaching(image: string): string | undefined {
    return this.claimed.get(image);
  }

  /**
   * Follows CD changes made behind the server's back (HMP `change ide1-cd0 x.iso`, `eject`): every tray
   * movement re-reads the drive and stores what is in it. Also catches up once, for a re-adopted guest, and
   * clears snapshot jobs a previous server run left concluded.
   */
  attach(id: string, rt: VmRuntime): void {
    rt.engine.block.onTrayMoved(rt.guest, () => void this.syncCdrom(id, rt));
    void this.syncCdrom(id, rt);
    rt.engine.block.dismissStaleJobs(rt.guest).catch(() => undefined);
  }

  /** @throws NotFound */
  async disks(id: string): Promise<VmDisk[]> {
    const def = this.host.definition(id);
    const launched = this.host.runtime(id)?.launched.disks;
    return Promise.all(
      def.disks.map(async (d) =>
        diskView(d, await this.images.get(d.image).catch(() => undefined), launched),
      ),
    );
  }

  /**
   * Attaches `req.image` in the lowest free slot on `req.bus` (default virtio) with its options; with
   * `req.create` the image is made first (qemu-img) and deleted again when the attach fails. A running or paused
   * guest gets a virtio, SCSI or USB disk hot-plugged; a SATA/IDE disk is stored and applies at the next start
   * (the answer's `pending`). Requires: the `disks` operation's states. Rollback: a failed hot-plug removes the
   * block nodes it made (live-disks.ts); the definition changes only after qemu has the disk.
   * @throws Invalid (unknown image, bus the machine lacks, options the bus refuses), NotFound, Conflict (image
   *   in use, busy or existing, no free slot or port, wrong state, busy, qemu refused or died)
   */
  async addDisk(id: string, req: z.output<typeof AddDiskRequestSchema>): Promise<VmDisk> {
    const { image, bus = 'virtio', create } = req;
    const options = withOptions(req);
    await this.host.states.run(id, 'disks', `attaching ${image}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const index = slotForNewDisk(this.host.definition(id), bus, options);
      if (this.claimed.has(image)) throw new Conflict(ErrorCode.inUse, `image ${image} is being attached`);
      // Made here, so deleted here when the attach fails (an image that existed already is never touched).
      const made = create !== undefined;
      if (create !== undefined) {
        await this.images.create({ name: image, format: create.format, size: create.sizeBytes });
      }
      this.claimed.set(image, id);
      let attached = false;
      try {
        const usable = await imageForDisk(this.images, this.host, id, image);
        const disk = definedDisk(image, index, usable.qemuFormat, bus, options);
        if (mode.live && HOTPLUG_DISK_BUSES.includes(bus)) {
          const { engine, guest, launched } = mode.rt;
          await engine.block
            .hotplugDisk(guest, this.host.definition(id).machine, index, usable, disk)
            .catch((err: unknown) => {
              throw qemuRefused(err, `cannot hot-plug ${image}`);
            });
          launched.disks = [...launched.disks, disk];
        }
        this.host.updateDefinition(id, (d) => ({ ...d, disks: [...d.disks, disk] }));
        attached = true;
      } finally {
        this.claimed.delete(image);
        if (made && !attached) await this.images.delete(image).catch(() => undefined);
      }
    });
    const added = (await this.disks(id)).find((d) => d.image === image);
    if (!added) throw new NotFound(`disk ${image}`);
    return added;
  }

  /**
   * Changes disk slot `index`'s cache mode, discard and read-only (each left out stays). A running guest's qemu
   * keeps what it opened the disk with: the change applies at the next start (the answer's `pending`).
   * @throws Invalid (options the disk's bus refuses), NotFound (no such VM or disk), Conflict (wrong state, busy)
   */
  async patchDisk(id: string, index: number, patch: PatchDiskRequest): Promise<VmDisk> {
    await this.host.states.run(id, 'disks', `changing disk ${index}`, () => {
      const disk = this.host.definition(id).disks.find((d) => d.index === index);
      if (!disk) throw new NotFound(`disk ${index} of VM ${this.host.get(id).name}`);
      const next = patchedDisk(disk, patch);
      assertOptionsFit(next.bus, next);
      this.host.updateDefinition(id, (d) => ({
        ...d,
        disks: d.disks.map((x) => (x.index === index ? next : x)),
      }));
      return Promise.resolve();
    });
    const changed = (await this.disks(id)).find((d) => d.index === index);
    if (!changed) throw new NotFound(`disk ${index}`);
    return changed;
  }

  /**
   * Detaches disk slot `index` (the image file stays). A running guest must acknowledge the unplug.
   * Requires: the `disks` operation's states (live: running, not paused). Rollback: none needed, the
   * definition drops the disk only once qemu has let it go.
   * @throws NotFound (no such VM or disk), Conflict (paused, wrong state, busy, the guest did not let go)
   */
  async removeDisk(id: string, index: number): Promise<void> {
    await this.host.states.run(id, 'disks', `detaching disk ${index}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const disk = this.host.definition(id).disks.find((d) => d.index === index);
      if (!disk) throw new NotFound(`disk ${index} of VM ${this.host.get(id).name}`);
      // A disk waiting for the next start (a SATA disk added while running) is not in qemu: stored only.
      const inQemu = mode.live && mode.rt.launched.disks.some((d) => d.index === index);
      if (mode.live && inQemu) {
        if (!HOTPLUG_DISK_BUSES.includes(disk.bus)) throw new Conflict(ErrorCode.wrongState, IDE_NOT_HOTPLUG);
        if (rec.state === 'paused') {
          throw new Conflict(
            ErrorCode.wrongState,
            'the VM is paused: resume it first, a paused guest cannot acknowledge the unplug',
          );
        }
        const launched = mode.rt.launched;
        const running = launched.disks.find((d) => d.index === index);
        await mode.rt.engine.block
          .unplugDisk(mode.rt.guest, index, running?.bus ?? disk.bus)
          .catch((err: unknown) => {
            if (err instanceof UnplugTimeoutError) throw new Conflict(ErrorCode.qemuFailed, err.message);
            throw qemuRefused(err, `cannot unplug disk ${index}`);
          });
        launched.disks = launched.disks.filter((d) => d.index !== index);
      }
      this.host.updateDefinition(id, (d) => ({ ...d, disks: d.disks.filter((x) => x.index !== index) }));
    });
  }

  /** @throws NotFound */
  async cdrom(id: string): Promise<VmCdrom> {
    const image = this.host.definition(id).cdrom ?? null;
    const rt = this.host.runtime(id);
    const live = rt ? await rt.engine.block.cdrom(rt.guest).catch(() => undefined) : undefined;
    return { image, ...(live ? { trayOpen: live.trayOpen, locked: live.locked } : {}) };
  }

  /**
   * Inserts an ISO or ejects; live through QMP, always in the definition. Requires: the `cdrom` operation's
   * states; it holds the VM's lock like any change (a CD change must not race a start). Rollback: none, the
   * definition follows what qemu has in the drive.
   * @throws Invalid (unknown or non-raw image), NotFound, Conflict (`tray_locked`, image used as a disk, wrong
   *   state, busy)
   */
  async changeCdrom(id: string, req: ChangeCdromRequest): Promise<VmCdrom> {
    const what = req.image === null ? 'ejecting the CD' : `inserting ${req.image}`;
    await this.host.states.run(id, 'cdrom', what, async (rec) => {
      const mode = storageMode(this.host, rec);
      const usable = req.image === null ? null : await imageForCdrom(this.images, this.host, req.image);
      if (mode.live) {
        const { engine, guest } = mode.rt;
        await engine.block
          .changeMedium(guest, usable?.path ?? null, req.force === true)
          .catch((err: unknown) => {
            throw qemuRefused(err, req.image === null ? 'cannot eject the CD' : `cannot insert ${req.image}`);
          });
      }
      this.setCdrom(id, req.image);
    });
    return this.cdrom(id);
  }

  private setCdrom(id: string, image: string | null): void {
    if ((this.host.definition(id).cdrom ?? null) === image) return;
    this.host.updateDefinition(id, ({ cdrom: _old, ...rest }) =>
      image === null ? rest : { ...rest, cdrom: image },
    );
  }

  private async syncCdrom(id: string, rt: VmRuntime): Promise<void> {
    try {
      const live = await rt.engine.block.cdrom(rt.guest);
      if (!live || this.host.runtime(id) !== rt) return;
      if (live.file === undefined) return this.setCdrom(id, null);
      const name = await storeNameOf(this.images.imagesDir, live.file);
      // NOTE: a file outside the images dir (HMP can insert any path) cannot be stored in the definition: keep it.
      if (name !== null) this.setCdrom(id, name);
    } catch {
      // The VM was deleted, or the guest went away during the query: its exit handling has the last word.
    }
  }
}
