import { useState, type SubmitEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { isOperationAllowed, type Vm } from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { imagesQuery } from '../../../queries/images.ts';
import { useDeleteVmWithImages } from '../../../queries/vmConfig.ts';
import { vmsQuery } from '../../../queries/vms.ts';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { useRoleGate } from '../../../queries/role.ts';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { imageChoices, imagesToDelete, type ImageChoice } from './deleteChoices.ts';
import { FormError } from '../../../components/FormError.tsx';

/**
 * Deletes a stopped guest (Cockpit's deleteDialog): each image it uses has a "delete this image too" box,
 * ticked for its disks, not for the CD or kernel files; images other VMs use, or that back an overlay, must stay.
 */
export function DeleteVmBtn({ vm, onDeleted }: { vm: Vm; onDeleted?: () => void }) {
  const role = useRoleGate('operate');
  return (
    <DialogButton
      label="Delete"
      title={`Delete ${vm.name}?`}
      danger
      disabled={!role.allowed || !isOperationAllowed('delete', vm.state)}
      disabledReason={role.reason ?? 'Stop the guest before deleting it.'}
    >
      {(close) => (
        <DeleteForm
          vm={vm}
          onCancel={close}
          onDeleted={() => {
            close();
            onDeleted?.();
          }}
        />
      )}
    </DialogButton>
  );
}

function DeleteForm({ vm, onCancel, onDeleted }: { vm: Vm; onCancel: () => void; onDeleted: () => void }) {
  const images = useQuery(imagesQuery());
  const vms = useQuery(vmsQuery());
  const [picked, setPicked] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [error, setError] = useState<ApiError | null>(null);
  const notify = useNotify();
  const choices = images.data ? imageChoices(vm, images.data, vms.data ?? [vm]) : [];
  const mutation = useDeleteVmWithImages(vm.id, (req) => {
    const deleted = req.deleteImages ?? [];
    const kept = choices.map((c) => c.image).filter((name) => !deleted.includes(name));
    const detail = [
      deleted.length > 0 ? `Deleted ${deleted.join(', ')}.` : '',
      kept.length > 0 ? `Kept ${kept.join(', ')} on the Images page.` : '',
    ].join(' ');
    notify.success(`Deleted ${vm.name}`, detail.trim() || undefined);
    onDeleted();
  });

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    mutation.mutate({ deleteImages: imagesToDelete(choices, picked) }, { onError: setError });
  };

  return (
    <form className="settings-delete" onSubmit={submit} aria-label={`Delete ${vm.name}`}>
      <p>The definition of {vm.name} is removed. Choose the images to delete with it:</p>
      {images.isPending && <Loading what="the images" />}
      {images.isError && (
        <QueryError
          what="the images (they are kept)"
          error={images.error}
          onRetry={() => void images.refetch()}
        />
      )}
      {images.data && choices.length === 0 && <p className="muted">It uses no images.</p>}
      {choices.length > 0 && (
        <ul className="plain settings-delete-images">
          {choices.map((c) => (
            <ImageRow
              key={c.image}
              choice={c}
              first={c === choices.find((x) => x.blocked === null)}
              checked={c.blocked === null && (picked.get(c.image) ?? c.checkedByDefault)}
              onChange={(on) => setPicked((m) => new Map(m).set(c.image, on))}
            />
          ))}
        </ul>
      )}
      <FormError message={error?.message} />
      <DialogFormButtons
        onCancel={onCancel}
        label="Delete"
        busyLabel="Deleting…"
        busy={mutation.isPending}
        disabled={images.isPending}
        danger
      />
    </form>
  );
}

const KIND_LABEL: Record<ImageChoice['kind'], string> = {
  disk: 'disk',
  cd: 'CD image',
  kernel: 'kernel',
  initrd: 'initrd',
};

function ImageRow({
  choice,
  first,
  checked,
  onChange,
}: {
  choice: ImageChoice;
  /** The first box that can change takes the focus (the list arrives after the dialog opened). */
  first: boolean;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const reasonId = `delete-reason-${choice.image}`;
  return (
    <li>
      <label>
        <input
          type="checkbox"
          checked={checked}
          disabled={choice.blocked !== null}
          autoFocus={first}
          aria-describedby={choice.blocked ? reasonId : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        Delete {choice.image} too
      </label>{' '}
      <span className="muted small">({KIND_LABEL[choice.kind]})</span>
      {choice.blocked && (
        <p id={reasonId} className="field-hint">
          Kept: {choice.blocked}.
        </p>
      )}
    </li>
  );
}
