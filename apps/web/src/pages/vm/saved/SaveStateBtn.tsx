import { useState, type SubmitEvent } from 'react';
import { ImageNameSchema, type Vm } from '@virtweb/protocol';
import { TextField } from '../../../components/TextField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useSaveState } from '../../../queries/migrations.ts';
import { canSaveState } from '../migrate/migrateStates.ts';
import { useGuestJobReason } from '../migrate/useGuestJobReason.ts';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { FormError } from '../../../components/FormError.tsx';

/** "Save state…": the running guest stops into a zstd-compressed file of its state, restorable later. */
export function SaveStateBtn({ vm }: { vm: Vm }) {
  const reason = useGuestJobReason(
    vm,
    canSaveState(vm.state),
    'Only a running (or paused) guest has a state to save.',
  );
  return (
    <DialogButton
      label="Save state…"
      title={`Save the state of ${vm.name}`}
      disabled={reason !== undefined}
      disabledReason={reason}
    >
      {(close) => <SaveStateForm vm={vm} onClose={close} />}
    </DialogButton>
  );
}

function SaveStateForm({ vm, onClose }: { vm: Vm; onClose: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<string | null>(null);
  const save = useSaveState(vm.id);
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed !== '') {
      const parsed = ImageNameSchema.safeParse(trimmed);
      if (!parsed.success) {
        setError(parsed.error.issues[0]?.message ?? 'not a file name');
        return;
      }
    }
    save.mutate(trimmed === '' ? undefined : trimmed, {
      onSuccess: (job) => {
        notify.success(`Saving the state of ${vm.name} to ${job.targetName}`);
        onClose();
      },
      onError: (err) => {
        const field = err.details.find((d) => d.path === 'name');
        if (field) setError(field.message);
        else setFormError(err.message);
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label={`Save the state of ${vm.name}`}>
      <p className="muted">
        The guest&apos;s memory and devices are written to a compressed file and the guest stops. Restore it
        later from “Saved states” on this page, as long as its disks stay unchanged.
      </p>
      <FormError message={formError} />
      <TextField
        label="File name (optional)"
        error={error}
        hint={`Empty: ${vm.name}-<date>.vmstate.zst in the saved-states store.`}
        value={name}
        spellCheck={false}
        onChange={(typed) => {
          setName(typed);
          setError(undefined);
          setFormError(null);
        }}
      />
      <DialogFormButtons onCancel={onClose} label="Save state" busyLabel="Saving…" busy={save.isPending} />
    </form>
  );
}
