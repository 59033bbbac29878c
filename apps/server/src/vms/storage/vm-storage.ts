import {
  ErrorCode,
  MAX_DISKS,
  type ChangeCdromRequest,
  type DiskBus,
  type VmCdrom,
  type VmDisk,
} from '@virtweb/protocol';
import { diskIds, ideDiskCapacity } from '@virtweb/qemu';
import { UnplugTimeoutError } from '../../engine/errors.ts';
import type { EventBus } from '../../events/bus.ts';
import { Conflict, NotFound } from '../../domain/errors.ts';
import type { ImageService } from '../../images/image-service.ts';
import { storeNameOf } from '../../images/image-paths.ts';
import type { VmRuntime } from '../vm-runtime.ts';
import { imageForCdrom, imageForDisk } from './image-checks.ts';
import { VmSnapshots } from './snapshots.ts';
import { qemuRefused } from './qemu-refused.ts';
import { storageMode, type StorageHost } from './storage-host.ts';

// NOTE: qemu 7.2 has no hot-plug for IDE/SATA disks (ide-hd is not hot-pluggable on PIIX or ICH9 AHCI).
const IDE_NOT_HOTPLUG =
  'IDE disks cannot be hot-plugged or unplugged: power the VM off to change them, or use a virtio disk';

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
    return Promise.all(
      def.disks.map(async (d) => {
        const ids = diskIds(d.index, d.bus);
        const facts = await this.images.get(d.image).catch(() => undefined);
        return {
          index: d.index,
          image: d.image,
          ...(facts ? { format: facts.format, virtualSize: facts.virtualSize } : {}),
          device: ids.device,
          node: ids.node,
        };
      }),
    );
  }

  /**
   * Attaches `image` in the lowest free slot: hot-plugged (virtio only) on a running or paused guest.
   * Requires: the `disks` operation's states. Rollback: a failed hot-plug removes the block nodes it made
   * (live-disks.ts); the definition changes only after qemu has the disk.
   * @throws Invalid (unknown image), NotFound, Conflict (image in use or busy, no free slot, IDE while running,
   *   wrong state, busy, qemu refused or died)
   */
  async addDisk(id: string, image: string, bus: DiskBus = 'virtio'): Promise<VmDisk> {
    await this.host.states.run(id, 'disks', `attaching ${image}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      if (mode.live && bus === 'ide') throw new Conflict(ErrorCode.wrongState, IDE_NOT_HOTPLUG);
      if (this.claimed.has(image)) throw new Conflict(ErrorCode.inUse, `image ${image} is being attached`);
      this.claimed.set(image, id);
      try {
        const usable = await imageForDisk(this.images, this.host, id, image);
        const def = this.host.definition(id);
        const used = new Set(def.disks.map((d) => d.index));
        const index = [...Array(MAX_DISKS).keys()].find((i) => !used.has(i));
        if (index === undefined)
          throw new Conflict(ErrorCode.conflict, `all ${MAX_DISKS} disk slots are in use`);
        const ide = def.disks.filter((d) => d.bus === 'ide').length;
        if (bus === 'ide' && ide >= ideDiskCapacity(def.machine)) {
          throw new Conflict(
            ErrorCode.conflict,
            `the ${def.machine} machine has no IDE port left (${ideDiskCapacity(def.machine)} besides the CD): use virtio`,
          );
        }
        if (mode.live) {
          const { engine, guest } = mode.rt;
          await engine.block.hotplugDisk(guest, def.machine, index, usable).catch((err: unknown) => {
            throw qemuRefused(err, `cannot hot-plug ${image}`);
          });
        }
        this.host.updateDefinition(id, (d) => ({
          ...d,
          disks: [...d.disks, { image, index, format: usable.qemuFormat, bus }],
        }));
      } finally {
        this.claimed.delete(image);
      }
    });
    const added = (await this.disks(id)).find((d) => d.image === image);
    if (!added) throw new NotFound(`disk ${image}`);
    return added;
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
      if (mode.live) {
        if (disk.bus === 'ide') throw new Conflict(ErrorCode.wrongState, IDE_NOT_HOTPLUG);
        if (rec.state === 'paused') {
          throw new Conflict(
            ErrorCode.wrongState,
            'the VM is paused: resume it first, a paused guest cannot acknowledge the unplug',
          );
        }
        await mode.rt.engine.block.unplugDisk(mode.rt.guest, index).catch((err: unknown) => {
          if (err instanceof UnplugTimeoutError) throw new Conflict(ErrorCode.qemuFailed, err.message);
          throw qemuRefused(err, `cannot unplug disk ${index}`);
        });
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
