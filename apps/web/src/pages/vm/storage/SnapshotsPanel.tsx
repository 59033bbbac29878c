import { useQuery } from '@tanstack/react-query';
import { formatBytes, type Snapshot, type Vm } from '@virtweb/protocol';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { snapshotsQuery } from '../../../queries/vmStorage.ts';
import { timeLabel } from '../../vmFormat.ts';
import { CreateSnapshotForm } from './CreateSnapshotForm.tsx';
import { DeleteSnapshotBtn } from './DeleteSnapshotBtn.tsx';
import { RevertSnapshotBtn } from './RevertSnapshotBtn.tsx';
import { SnapshotJobProgress } from './SnapshotJobProgress.tsx';
import { DataTable } from '../../../components/DataTable.tsx';

/** Internal qcow2 snapshots of a guest: with RAM while it runs, disk-only while stopped. */
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
          columns={['Name', 'Taken', 'Contents', { heading: 'RAM state', numeric: true }, 'Actions']}
        >
          {snapshots.data.map((s) => (
            <SnapshotRow key={s.name} vm={vm} snapshot={s} />
          ))}
        </DataTable>
      )}
      <CreateSnapshotForm vm={vm} />
    </section>
  );
}

function SnapshotRow({ vm, snapshot }: { vm: Vm; snapshot: Snapshot }) {
  const slots = snapshot.disks.join(', ');
  return (
    <tr>
      <th scope="row">{snapshot.name}</th>
      <td>{timeLabel(snapshot.date)}</td>
      <td>
        {snapshot.withRam ? 'disks and RAM' : 'disks only'} <span className="muted">(disk {slots})</span>
      </td>
      <td className="num">{snapshot.withRam ? formatBytes(snapshot.vmStateSize) : '—'}</td>
      <td>
        <div className="actions">
          <RevertSnapshotBtn vm={vm} snapshot={snapshot} />
          <DeleteSnapshotBtn vm={vm} snapshot={snapshot} />
        </div>
      </td>
    </tr>
  );
}
