// What must be on a guest disk: the markers the guest wrote and synced, minus what a successful revert rolled
// back. Each marker is written once, to its own sector, and never overwritten.

/** The markers a disk holds for certain, and those it may or may not hold (a write whose end is unknown). */
export interface MarkerSets {
  present: Set<string>;
  maybe: Set<string>;
}

export type MarkerState = 'pending' | 'synced' | 'unknown';

export interface Marker {
  text: string;
  image: string;
  slot: number;
  issuedAt: number;
  state: MarkerState;
  /** Reverts begun on the VM when the write was issued: a revert since then makes the write's fate unknown. */
  revertsAtIssue: number;
}

const union = (...sets: Iterable<string>[]): Set<string> => new Set(sets.flatMap((s) => [...s]));

/** A tracked image (a guest's disk): its markers and the marker sets its snapshots captured. */
export class DiskModel {
  readonly present = new Set<string>();
  readonly maybe = new Set<string>();
  /** Rolled back by a successful revert: must not be on the disk any more. */
  readonly absent = new Set<string>();
  /** Snapshot name -> what it holds (only snapshots whose create answered 201 can be reverted to). */
  readonly snapshots = new Map<string, MarkerSets>();
  private nextSlot = 0;

  constructor(
    readonly image: string,
    /** The disk slot this image always takes in its VM (a: 0, b: 1). */
    readonly slot: number,
  ) {}

  takeSlot(): number {
    return this.nextSlot++;
  }

  /** Slots written so far (the extent of the marker area to read back). */
  get slotsUsed(): number {
    return this.nextSlot;
  }

  issue(marker: Marker): void {
    this.maybe.add(marker.text);
  }

  /** The write never happened (the device was not there). */
  withdraw(marker: Marker): void {
    this.maybe.delete(marker.text);
  }

  confirm(marker: Marker): void {
    this.maybe.delete(marker.text);
    this.present.add(marker.text);
  }

  /** What a snapshot taken now holds for certain and maybe (refined by {@link endCapture}). */
  beginCapture(): MarkerSets {
    return { present: new Set(this.present), maybe: new Set(this.maybe) };
  }

  /** Markers synced while the snapshot was being taken may or may not be in it. */
  endCapture(begun: MarkerSets): MarkerSets {
    const present = new Set([...begun.present].filter((m) => this.present.has(m)));
    const all = union(begun.present, begun.maybe, this.present, this.maybe);
    return { present, maybe: new Set([...all].filter((m) => !present.has(m))) };
  }

  /** A revert to `snap` succeeded: the disk holds what the snapshot held; `pending` writes may land after it. */
  reverted(snap: MarkerSets, pending: Iterable<string>): void {
    const kept = union(snap.present, snap.maybe, pending);
    for (const m of union(this.present, this.maybe)) if (!kept.has(m)) this.absent.add(m);
    for (const m of kept) this.absent.delete(m);
    this.present.clear();
    this.maybe.clear();
    for (const m of snap.present) this.present.add(m);
    for (const m of union(snap.maybe, pending)) if (!this.present.has(m)) this.maybe.add(m);
  }

  /** A revert whose outcome is unknown (cut off by a kill): only what both sides hold is certain. */
  maybeReverted(snap: MarkerSets): void {
    const all = union(this.present, this.maybe, snap.present, snap.maybe);
    const certain = [...this.present].filter((m) => snap.present.has(m));
    for (const m of union(snap.present, snap.maybe)) this.absent.delete(m);
    this.present.clear();
    this.maybe.clear();
    for (const m of certain) this.present.add(m);
    for (const m of all) if (!this.present.has(m)) this.maybe.add(m);
  }

  /**
   * After a violation was reported, what the disk holds is taken as the new truth (so that one loss is reported
   * once): lost markers, and rolled-back ones found again, become unknown, also in the snapshots' captures.
   */
  rebase(lost: readonly string[], back: readonly string[]): void {
    for (const m of lost) {
      this.present.delete(m);
      this.maybe.add(m);
      for (const cap of this.snapshots.values()) if (cap.present.delete(m)) cap.maybe.add(m);
    }
    for (const m of back) {
      this.absent.delete(m);
      this.maybe.add(m);
    }
  }
}
