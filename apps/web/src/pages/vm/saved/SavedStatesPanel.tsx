import { useQuery } from '@tanstack/react-query';
import { formatBytes, type SavedState, type Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { QueryError } from '../../../components/QueryError.tsx';
import {
  savedStatesQuery,
  useDeleteSavedState,
  useRestoreState,
  useVmJobRunning,
} from '../../../queries/migrations.ts';
import { timeLabel } from '../../vmFormat.ts';
import { canRestoreState } from '../migrate/migrateStates.ts';
import '../migrate/migrate.css';
import { DataTable } from '../../../components/DataTable.tsx';

/**
 * The saved states of this guest (files of its memory and devices), with Restore and Delete. Shown on the VM
 * page, where Restore makes sense: a state belongs to its VM, which must exist and be stopped.
 */
export function SavedStatesPanel({ vm }: { vm: Vm }) {
  const states = useQuery(savedStatesQuery());
  const mine = states.data?.filter((s) => s.vmId === vm.id) ?? [];
  if (states.isError) {
    return <QueryError what="the saved states" error={states.error} onRetry={() => void states.refetch()} />;
  }
  if (mine.length === 0) return null;
  return (
    <section className="panel saved-states" aria-labelledby="saved-states-title">
      <h2 id="saved-states-title">Saved states</h2>
      <DataTable
        labelledBy="saved-states-title"
        columns={['File', 'Saved', { heading: 'Size', numeric: true }, 'Actions']}
      >
        {mine.map((s) => (
          <SavedStateRow key={s.name} vm={vm} state={s} />
        ))}
      </DataTable>
      {!canRestoreState(vm.state) && (
        <p className="muted small">Stop the guest to restore one of its states.</p>
      )}
    </section>
  );
}

function SavedStateRow({ vm, state }: { vm: Vm; state: SavedState }) {
  const restore = useRestoreState();
  const remove = useDeleteSavedState();
  const notify = useNotify();
  const busy = useVmJobRunning(vm.id);
  const restorable = canRestoreState(vm.state) && !busy;
  return (
    <tr>
      <th scope="row">{state.name}</th>
      <td>{timeLabel(state.createdAt)}</td>
      <td className="num">{formatBytes(state.sizeBytes)}</td>
      <td>
        <div className="actions">
          <ConfirmButton
            label="Restore"
            title={`Restore ${vm.name} from ${state.name}?`}
            disabled={!restorable}
            busy={restore.isPending}
            onConfirm={() =>
              restore.mutate(state.name, {
                onError: (err) => notify.error(`Could not restore ${vm.name}`, err),
              })
            }
          >
            <p>{vm.name} starts again at the moment it was saved.</p>
            <p>
              Its disks must be as they were then: if the guest ran after the save, its file systems may be
              damaged.
            </p>
          </ConfirmButton>
          <ConfirmButton
            label="Delete"
            title={`Delete ${state.name}?`}
            danger
            disabled={busy}
            busy={remove.isPending}
            onConfirm={() =>
              remove.mutate(state.name, {
                onSuccess: () => notify.success(`Deleted ${state.name}`),
                onError: (err) => notify.error(`Could not delete ${state.name}`, err),
              })
            }
          >
            <p>The saved state is removed; the guest and its disks stay as they are.</p>
          </ConfirmButton>
        </div>
      </td>
    </tr>
  );
}
