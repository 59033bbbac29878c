import type { Image } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useNotify } from '../components/notify/context.ts';
import { leftBehindText } from '../pages/images/oldCopy.ts';
import { useDeleteImage } from '../queries/images.ts';

/** Deletes an image file; the server refuses (409) while a VM definition uses it. */
export function DeleteImageBtn({ image, usedByNames }: { image: Image; usedByNames: string[] }) {
  const mutation = useDeleteImage();
  const notify = useNotify();
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
      danger
    >
      <p>The file is removed from the host; this cannot be undone.</p>
      {image.leftBehind && (
        <p>
          {leftBehindText(image.leftBehind)}: the VM’s current disk is on {image.leftBehind.host}.
        </p>
      )}
      {usedByNames.length > 0 && <p>It is still used by {usedByNames.join(', ')}: the server will refuse.</p>}
    </ConfirmButton>
  );
}
