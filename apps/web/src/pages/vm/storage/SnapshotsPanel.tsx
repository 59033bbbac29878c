import { useQuery } from '@tanstack/react-query';
import type { Snapshot, Vm } from '@virtweb/protocol';
import { useState, type KeyboardEvent } from 'react';
import { DataTable } from '../../../components/DataTable.tsx';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { snapshotsQuery } from '../../../queries/vmStorage.ts';
import { CreateSnapshotForm } from './CreateSnapshotForm.tsx';
import { SnapshotJobProgress } from './SnapshotJobProgress.tsx';
import { SnapshotRow } from './SnapshotRow.tsx';
import { treeKey, treeOrder, visibleRows } from './snapshotTree.ts';
import './snapshots.css';

/**
 * Internal qcow2 snapshots of a guest as a tree (each under the one current when it was taken): with RAM while
 * it runs, disk-only while stopped.
 */
export function SnapshotsPanel({ vm }: { vm: Vm }) {
  const snapshots = useQuery(snapshotsQuery(vm.id));
  return (
    <section className="panel" aria-labelledby="vm-snapshots-title">
      <h2 id="vm-snapshots-title">Snapshots</h2>
      <SnapshotJobProgress vmId={vm.id} />
      {snapshots.isPending && <Loading what="the snapshots" />}
      {snapshots.isError && (
        <QueryError what="the snapshots" error={snapshots.error} onRetry={() => void snapshots.refetch()} />
      )}
      {snapshots.data?.length === 0 && <p className="muted">No snapshots.</p>}
      {snapshots.data && snapshots.data.length > 0 && <SnapshotTree vm={vm} snapshots={snapshots.data} />}
      <CreateSnapshotForm vm={vm} />
    </section>
  );
}

/** The snapshots as a WAI-ARIA tree grid: Tab reaches one row, the arrow keys walk and fold the tree. */
function SnapshotTree({ vm, snapshots }: { vm: Vm; snapshots: readonly Snapshot[] }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState<string>();
  const rows = visibleRows(treeOrder(snapshots), collapsed);
  // The Tab stop: the row last focused while it is shown, else the current snapshot, else the first.
  const tabStop =
    rows.find((r) => r.snapshot.name === active) ?? rows.find((r) => r.snapshot.current) ?? rows[0];
  const fold = (name: string, shut: boolean) =>
    setCollapsed((was) => {
      const next = new Set(was);
      if (shut) next.add(name);
      else next.delete(name);
      return next;
    });
  const onKeyDown = (index: number) => (e: KeyboardEvent<HTMLTableRowElement>) => {
    if (e.target !== e.currentTarget) return; // keys in the row's buttons are theirs
    const action = treeKey(rows, index, e.key, collapsed);
    if (action === undefined) return;
    e.preventDefault();
    if ('expand' in action) fold(action.expand, false);
    else if ('collapse' in action) fold(action.collapse, true);
    else {
      setActive(action.focus);
      const target = e.currentTarget.parentElement?.querySelector<HTMLElement>(
        `tr[data-snapshot="${CSS.escape(action.focus)}"]`,
      );
      target?.focus();
    }
  };
  return (
    <DataTable
      treegrid
      labelledBy="vm-snapshots-title"
      columns={[
        'Name',
        'Description',
        'Taken',
        'Contents',
        { heading: 'RAM state', numeric: true },
        'Actions',
      ]}
    >
      {rows.map((row, i) => (
        <SnapshotRow
          key={row.snapshot.name}
          vm={vm}
          row={row}
          expanded={!collapsed.has(row.snapshot.name)}
          active={row === tabStop}
          onToggle={() => fold(row.snapshot.name, !collapsed.has(row.snapshot.name))}
          onKeyDown={onKeyDown(i)}
          onFocus={() => setActive(row.snapshot.name)}
        />
      ))}
    </DataTable>
  );
}
