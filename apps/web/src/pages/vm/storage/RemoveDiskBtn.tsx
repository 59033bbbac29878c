import type { Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useRemoveDisk } from '../../../queries/vmStorage.ts';
import { canChangeStorage, isLive } from './storageStates.ts';

/** Detaches a disk (hot-unplug while the guest runs); the image file stays in the store. */
export function RemoveDiskBtn({ vm, index, image }: { vm: Vm; index: number; image: string }) {
  const mutation = useRemoveDisk(vm.id);
  const notify = useNotify();
  const paused = vm.state === 'paused';
  const run = () =>
    mutation.mutate(index, {
      onSuccess: () => notify.success(`Removed ${image} from ${vm.name}`),
      onError: (err) => notify.error(`Could not remove ${image} from ${vm.name}`, err),
    });
  return (
    <ConfirmButton
      label="Remove"
      title={`Remove ${image} from ${vm.name}?`}
      onConfirm={run}
      disabled={!canChangeStorage(vm.state) || paused}
      busy={mutation.isPending}
      danger
    >
      {isLive(vm.state) ? (
        <p>The disk is unplugged from the running guest: unmount it there first, or data may be lost.</p>
      ) : (
        <p>The disk is taken out of the guest's definition.</p>
      )}
      <p>The image file {image} stays in the image store.</p>
      {paused && <p>A paused guest cannot let go of a disk: resume it first.</p>}
    </ConfirmButton>
  );
}
