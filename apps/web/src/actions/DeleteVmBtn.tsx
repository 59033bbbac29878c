import type { Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useNotify } from '../components/notify/context.ts';
import { useDeleteVm } from '../queries/vms.ts';
import { canDelete } from './allowed.ts';

/** Deletes the VM definition (not its disk images); only while no qemu process runs. */
export function DeleteVmBtn({ vm, onDeleted }: { vm: Vm; onDeleted?: () => void }) {
  const mutation = useDeleteVm();
  const notify = useNotify();
  const run = () =>
    mutation.mutate(vm.id, {
      onSuccess: () => {
        notify.success(`Deleted ${vm.name}`, 'Its disk images are kept on the Images page.');
        onDeleted?.();
      },
      onError: (err) => notify.error(`Could not delete ${vm.name}`, err),
    });
  return (
    <ConfirmButton
      label="Delete"
      title={`Delete ${vm.name}?`}
      onConfirm={run}
      disabled={!canDelete(vm.state)}
      busy={mutation.isPending}
      danger
    >
      The definition of this VM is removed. Its disk images and CD images stay on the Images page.
    </ConfirmButton>
  );
}
