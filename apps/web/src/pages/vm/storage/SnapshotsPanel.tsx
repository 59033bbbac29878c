import { useQuery } from '@tanstack/react-query';
import { formatBytes, type Vm } from '@virtweb/protocol';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { snapshotsQuery } from '../../../queries/vmStorage.ts';
import { timeLabel } from '../../vmFormat.ts';
import { CreateSnapshotForm } from './CreateSnapshotForm.tsx';
import { DeleteSnapshotBtn } from './DeleteSnapshotBtn.tsx';
import { DescribeSnapshotBtn } from './DescribeSnapshotBtn.tsx';
import { RevertSnapshotBtn } from './RevertSnapshotBtn.tsx';
import { SnapshotJobProgress } from './SnapshotJobProgress.tsx';
import { treeOrder, type TreeRow } from './snapshotTree.ts';
import './snapshots.css';
import { DataTable } from '../../../components/DataTable.tsx';

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
      {snapshots.data && snapshots.data.length > 0 && (
        <DataTable
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
          {treeOrder(snapshots.data).map((row) => (
            <SnapshotRow key={row.snapshot.name} vm={vm} row={row} />
          ))}
        </DataTable>
      )}
      <CreateSnapshotForm vm={vm} />
    </section>
  );
}

/** One snapshot, indented under its parent; the current one says so in words, not only by its look. */
function SnapshotRow({ vm, row }: { vm: Vm; row: TreeRow }) {
  const { snapshot, depth } = row;
  const slots = snapshot.disks.join(', ');
  return (
    <tr className={snapshot.current ? 'snapshot-current' : undefined} data-depth={depth}>
      <th scope="row">
        <span className="snapshot-name" style={{ paddingInlineStart: `${depth * 1.25}rem` }}>
          {depth > 0 && <span aria-hidden="true">↳ </span>}
          {snapshot.name}
          {snapshot.parent !== undefined && (
            <span className="visually-hidden"> (child of {snapshot.parent})</span>
          )}
          {snapshot.current && <span className="badge snapshot-current-badge">current</span>}
        </span>
      </th>
      <td>{snapshot.description ?? <span className="muted">—</span>}</td>
      <td>{timeLabel(snapshot.date)}</td>
      <td>
        {snapshot.withRam ? 'disks and RAM' : 'disks only'} <span className="muted">(disk {slots})</span>
      </td>
      <td className="num">{snapshot.withRam ? formatBytes(snapshot.vmStateSize) : '—'}</td>
      <td>
        <div className="actions">
          <DescribeSnapshotBtn vm={vm} snapshot={snapshot} />
          <RevertSnapshotBtn vm={vm} snapshot={snapshot} />
          <DeleteSnapshotBtn vm={vm} snapshot={snapshot} />
        </div>
      </td>
    </tr>
  );
}
