import type { Image } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useRoleGate } from '../queries/role.ts';
import { useNotify } from '../components/notify/context.ts';
import { leftBehindText } from '../pages/images/oldCopy.ts';
import { useDeleteImage } from '../queries/images.ts';

/** Deletes an image file; disabled (with the reason) while a guest uses it, as the server would refuse. */
export function DeleteImageBtn({ image, usedByNames }: { image: Image; usedByNames: string[] }) {
  const mutation = useDeleteImage();
  const notify = useNotify();
  const role = useRoleGate('operate');
  const run = () =>
    mutation.mutate(image.name, {
      onSuccess: () => notify.success(`Deleted ${image.name}`),
      onError: (err) => notify.error(`Could not delete ${image.name}`, err),
    });
  return (
    <ConfirmButton
      label="Delete"
      title={`Delete ${image.name}?`}
      onConfirm={run}
      busy={mutation.isPending}
      disabled={!role.allowed || usedByNames.length > 0}
      disabledReason={
        role.reason ??
        `used by ${usedByNames.join(', ')}: remove it from ${usedByNames.length > 1 ? 'them' : 'it'} first`
      }
      danger
    >
      <p>The file is removed from the host; this cannot be undone.</p>
      {image.leftBehind && (
        <p>
          {leftBehindText(image.leftBehind)}: the VM’s current disk is on {image.leftBehind.host}.
        </p>
      )}
    </ConfirmButton>
  );
}
