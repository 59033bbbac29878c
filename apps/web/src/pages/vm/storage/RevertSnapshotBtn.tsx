import type { Snapshot, Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useRevertSnapshot } from '../../../queries/vmStorage.ts';
import { canChangeStorage, isLive } from './storageStates.ts';

/** Reverts the guest's disks (and, for a snapshot with RAM, the running guest) to a snapshot. */
export function RevertSnapshotBtn({ vm, snapshot }: { vm: Vm; snapshot: Snapshot }) {
  const mutation = useRevertSnapshot(vm.id);
  const notify = useNotify();
  const live = isLive(vm.state);
  // qemu reverts a running guest only to a snapshot with RAM; a disk-only one needs the guest stopped.
  const allowed = canChangeStorage(vm.state) && (!live || snapshot.withRam);
  const run = () =>
    mutation.mutate(snapshot.name, {
      onSuccess: () => notify.success(`Reverted ${vm.name} to ${snapshot.name}`),
      onError: (err) => notify.error(`Could not revert ${vm.name} to ${snapshot.name}`, err),
    });
  return (
    <ConfirmButton
      label="Revert"
      title={`Revert ${vm.name} to ${snapshot.name}?`}
      onConfirm={run}
      disabled={!allowed}
      busy={mutation.isPending}
      danger
    >
      <p>Everything written to the disks since the snapshot is lost.</p>
      {live && <p>The running guest goes back to the moment of the snapshot, memory included.</p>}
      {!live && snapshot.withRam && (
        <p>The disks are reverted; the saved RAM is used only by a running guest.</p>
      )}
      {live && !snapshot.withRam && (
        <p>A disk-only snapshot can be reverted only while the guest is stopped.</p>
      )}
    </ConfirmButton>
  );
}
