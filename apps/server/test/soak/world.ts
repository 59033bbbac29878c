// The soak's expectations: which VMs and images must exist, what each guest disk must hold, which operations
// are in flight, and the last thing the API said about each VM.
import type { DiskModel, Marker } from './disk-model.ts';
import type { GuestConsole } from './guest-console.ts';

/** `maybe`: a create or delete whose answer was cut off; the server's word decides. */
export type Existence = 'exists' | 'maybe' | 'gone';

/** A VM as `GET /api/vms` shows it (the fields the soak reads). */
export interface VmView {
  id: string;
  name: string;
  state: string;
  pid?: number;
  disks: { image: string; index: number; bus: string }[];
  cdrom?: string;
  memoryMiB: number;
  lastExit?: { kind: string; reason: string };
}

/** What the poll saw of a VM: its state and pid, and since when they have been so. */
export interface VmObs {
  state: string;
  pid: number | undefined;
  since: number;
  at: number;
}

export interface OpRecord {
  id: number;
  kind: string;
  vmId: string | undefined;
  images: string[];
  startedAt: number;
  endedAt?: number;
  epoch: number;
}

export interface SnapshotRec {
  /** Taken while qemu ran (with RAM). */
  live: boolean;
  /** Created with a 201: its capture of the markers is known, a revert to it can be checked. */
  revertable: boolean;
}

/** One of the soak's guests: a VM with disk a (slot 0, always attached) and disk b (slot 1, plugged at will). */
export class Guest {
  readonly snapshots = new Map<string, SnapshotRec>();
  /** The last reverts and how they were answered (quoted when a marker goes missing). */
  readonly reverts: { op: number; snapshot: string; status: number; at: number }[] = [];
  revertsBegun = 0;
  /** Verify the markers through the guest's shell at the next chance (after a revert). */
  verifyWanted = false;

  constructor(
    readonly name: string,
    readonly id: string,
    readonly disks: readonly [DiskModel, DiskModel],
    readonly console: GuestConsole,
  ) {}

  diskAt(slot: number): DiskModel | undefined {
    return this.disks.find((d) => d.slot === slot);
  }
}

const KEEP_FINISHED = 500;

export class World {
  readonly vms = new Map<string, { name: string; existence: Existence; guest?: Guest }>();
  readonly images = new Map<string, Existence>();
  readonly guests: Guest[] = [];
  readonly markers = new Map<string, Marker>();
  readonly obs = new Map<string, VmObs>();
  /** The last `GET /api/vms` answer. */
  views: VmView[] = [];
  readonly inflight = new Set<OpRecord>();
  readonly finished: OpRecord[] = [];
  private nextOp = 0;
  private names = 0;

  begin(kind: string, epoch: number, vmId?: string, images: string[] = []): OpRecord {
    const op: OpRecord = { id: ++this.nextOp, kind, vmId, images, startedAt: Date.now(), epoch };
    this.inflight.add(op);
    return op;
  }

  end(op: OpRecord): void {
    op.endedAt = Date.now();
    this.inflight.delete(op);
    this.finished.push(op);
    if (this.finished.length > KEEP_FINISHED) this.finished.shift();
  }

  /** Operations on this VM in flight now, or ended within `withinMs` (of these kinds, when given). */
  activeOn(vmId: string, kinds?: readonly string[], withinMs = 0): OpRecord[] {
    const now = Date.now();
    const match = (op: OpRecord) => op.vmId === vmId && (kinds === undefined || kinds.includes(op.kind));
    return [
      ...[...this.inflight].filter(match),
      ...this.finished.filter((op) => match(op) && now - (op.endedAt ?? now) <= withinMs),
    ];
  }

  /** Operations touching this image in flight now or ended within `withinMs`. */
  activeOnImage(image: string, kinds?: readonly string[], withinMs = 0): OpRecord[] {
    const now = Date.now();
    const match = (op: OpRecord) =>
      op.images.includes(image) && (kinds === undefined || kinds.includes(op.kind));
    return [
      ...[...this.inflight].filter(match),
      ...this.finished.filter((op) => match(op) && now - (op.endedAt ?? now) <= withinMs),
    ];
  }

  guestById(id: string): Guest | undefined {
    return this.guests.find((g) => g.id === id);
  }

  disk(image: string): DiskModel | undefined {
    for (const g of this.guests) for (const d of g.disks) if (d.image === image) return d;
    return undefined;
  }

  view(id: string): VmView | undefined {
    return this.views.find((v) => v.id === id);
  }

  /** A fresh name for a scratch image, clone or snapshot. */
  name(prefix: string): string {
    return `${prefix}${++this.names}`;
  }
}
