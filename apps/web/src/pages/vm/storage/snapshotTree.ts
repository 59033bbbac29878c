import type { Snapshot } from '@virtweb/protocol';

/** A snapshot in tree order with its depth (0 for a root). */
export interface TreeRow {
  snapshot: Snapshot;
  depth: number;
}

/**
 * The snapshots in tree order: each parent followed by its children (depth-first), siblings in the order given
 * (the server's: oldest first). A snapshot whose parent is not in the list is a root.
 */
export function treeOrder(snapshots: readonly Snapshot[]): TreeRow[] {
  const names = new Set(snapshots.map((s) => s.name));
  const children = new Map<string | undefined, Snapshot[]>();
  for (const s of snapshots) {
    const parent = s.parent !== undefined && names.has(s.parent) ? s.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const rows: TreeRow[] = [];
  const placed = new Set<string>();
  const visit = (s: Snapshot, depth: number) => {
    if (placed.has(s.name)) return;
    placed.add(s.name);
    rows.push({ snapshot: s, depth });
    for (const child of children.get(s.name) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  // The server breaks loops; should one get through, its snapshots still show, as roots.
  for (const s of snapshots) visit(s, 0);
  return rows;
}
