import { useState, type SubmitEvent } from 'react';
import { SnapshotDescriptionSchema, type Snapshot, type Vm } from '@virtweb/protocol';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useDescribeSnapshot } from '../../../queries/vmStorage.ts';

function DescribeForm({ vm, snapshot, close }: { vm: Vm; snapshot: Snapshot; close: () => void }) {
  const [text, setText] = useState(snapshot.description ?? '');
  const [error, setError] = useState<string | undefined>();
  const mutation = useDescribeSnapshot(vm.id);
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = SnapshotDescriptionSchema.safeParse(text.trim());
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'invalid description');
    setError(undefined);
    mutation.mutate(
      { name: snapshot.name, description: parsed.data },
      {
        onSuccess: () => {
          notify.success(`Saved the description of snapshot ${snapshot.name}`);
          close();
        },
        onError: (err) => setError(err.message),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <TextField label="Description" error={error} hint="Empty clears it." value={text} onChange={setText} />
      <DialogFormButtons onCancel={close} label="Save" busyLabel="Saving…" busy={mutation.isPending} />
    </form>
  );
}

/** Edits what a snapshot is for (stored by virtweb; the disks are not touched, so any state will do). */
export function DescribeSnapshotBtn({ vm, snapshot }: { vm: Vm; snapshot: Snapshot }) {
  return (
    <DialogButton
      label="Describe"
      ariaLabel={`Describe snapshot ${snapshot.name}`}
      title={`Description of snapshot ${snapshot.name}`}
    >
      {(close) => <DescribeForm vm={vm} snapshot={snapshot} close={close} />}
    </DialogButton>
  );
}
