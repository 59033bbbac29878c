import type { Snapshot } from '@virtweb/protocol';

/** A snapshot as its disks hold it, before virtweb's notes of it are added. */
export type DiskSnapshot = Omit<Snapshot, 'parent' | 'description' | 'current'>;

/** What virtweb recorded of one snapshot beyond its disks (table `vm_snapshots`). */
export interface SnapshotNote {
  parent?: string;
  description?: string;
  /** The date of the snapshot the note is about: a note of an older snapshot of the same name is not its. */
  date?: string;
}

/** A guest's notes by snapshot name, and its current snapshot. */
export interface SnapshotTreeNotes {
  notes: ReadonlyMap<string, SnapshotNote>;
  current: string | undefined;
}

/**
 * The snapshots the disks hold, with their parents, descriptions and the current one from virtweb's notes.
 * qcow2 keeps no parent links, so notes can be out of date: a parent that is no longer on the disks, a note of a
 * snapshot deleted and taken again outside virtweb, a loop (names reused) — each of those makes a root.
 */
export function snapshotTree(snaps: readonly DiskSnapshot[], tree: SnapshotTreeNotes): Snapshot[] {
  const byName = new Map(snaps.map((s) => [s.name, s]));
  const noteOf = (s: DiskSnapshot): SnapshotNote | undefined => {
    const note = tree.notes.get(s.name);
    return note && (note.date === undefined || note.date === s.date) ? note : undefined;
  };
  const parentOf = new Map<string, string>();
  for (const s of snaps) {
    const parent = noteOf(s)?.parent;
    if (parent !== undefined && parent !== s.name && byName.has(parent)) parentOf.set(s.name, parent);
  }
  for (const s of snaps) {
    // Walking up from s reaches a root unless it runs into a loop; cutting the link where it does breaks it.
    const seen = new Set<string>();
    for (let at: string | undefined = s.name; at !== undefined; at = parentOf.get(at)) {
      if (seen.has(at)) {
        parentOf.delete(at);
        break;
      }
      seen.add(at);
    }
  }
  return snaps.map((s) => {
    const parent = parentOf.get(s.name);
    const description = noteOf(s)?.description;
    return {
      ...s,
      ...(parent !== undefined && { parent }),
      ...(description !== undefined && { description }),
      current: s.name === tree.current,
    };
  });
}
