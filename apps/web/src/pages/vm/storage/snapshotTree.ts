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

/** A row as the tree grid shows it: with whether it has children (it can then be collapsed). */
export interface VisibleRow extends TreeRow {
  hasChildren: boolean;
}

/** The rows in tree order, less the descendants of collapsed rows. */
export function visibleRows(rows: readonly TreeRow[], collapsed: ReadonlySet<string>): VisibleRow[] {
  const visible: VisibleRow[] = [];
  let hiddenBelow: number | undefined; // the depth of a collapsed ancestor whose subtree is being skipped
  rows.forEach((row, i) => {
    if (hiddenBelow !== undefined && row.depth > hiddenBelow) return;
    hiddenBelow = undefined;
    const hasChildren = (rows[i + 1]?.depth ?? -1) > row.depth;
    visible.push({ ...row, hasChildren });
    if (hasChildren && collapsed.has(row.snapshot.name)) hiddenBelow = row.depth;
  });
  return visible;
}

/** What a key does in the tree grid: move the focus to a row, expand or collapse one, or nothing. */
export type TreeKeyAction = { focus: string } | { expand: string } | { collapse: string } | undefined;

/**
 * The WAI-ARIA tree grid's keys on the row at `index` of `rows` (the visible ones): Up/Down to the row before or
 * after, Home/End to the first or last, Right expands a collapsed row or goes to its first child, Left collapses
 * an expanded row or goes to its parent.
 */
export function treeKey(
  rows: readonly VisibleRow[],
  index: number,
  key: string,
  collapsed: ReadonlySet<string>,
): TreeKeyAction {
  const row = rows[index];
  if (row === undefined) return undefined;
  const focus = (r: VisibleRow | undefined) => (r === undefined ? undefined : { focus: r.snapshot.name });
  const name = row.snapshot.name;
  switch (key) {
    case 'ArrowDown':
      return focus(rows[index + 1]);
    case 'ArrowUp':
      return focus(rows[index - 1]);
    case 'Home':
      return focus(rows[0]);
    case 'End':
      return focus(rows[rows.length - 1]);
    case 'ArrowRight':
      if (!row.hasChildren) return undefined;
      return collapsed.has(name) ? { expand: name } : focus(rows[index + 1]);
    case 'ArrowLeft': {
      if (row.hasChildren && !collapsed.has(name)) return { collapse: name };
      const parent = rows.slice(0, index).findLast((r) => r.depth < row.depth);
      return focus(parent);
    }
    default:
      return undefined;
  }
}
