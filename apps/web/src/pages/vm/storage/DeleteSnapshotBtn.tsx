import type { Snapshot, Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useDeleteSnapshot } from '../../../queries/vmStorage.ts';
import { canChangeStorage } from './storageStates.ts';

/** Deletes a snapshot from every disk that holds it; the guest's current state is not touched. */
export function DeleteSnapshotBtn({ vm, snapshot }: { vm: Vm; snapshot: Snapshot }) {
  const mutation = useDeleteSnapshot(vm.id);
  const notify = useNotify();
  const run = () =>
    mutation.mutate(snapshot.name, {
      onSuccess: () => notify.success(`Deleted snapshot ${snapshot.name}`),
      onError: (err) => notify.error(`Could not delete snapshot ${snapshot.name}`, err),
    });
  return (
    <ConfirmButton
      label="Delete"
      title={`Delete snapshot ${snapshot.name}?`}
      onConfirm={run}
      disabled={!canChangeStorage(vm.state)}
      busy={mutation.isPending}
      danger
    >
      <p>The snapshot is removed from the disks; the guest as it is now stays as it is.</p>
    </ConfirmButton>
  );
}
