import { useState, type SubmitEvent } from 'react';
import { CreateSnapshotRequestSchema, type Vm } from '@virtweb/protocol';
import { TextField } from '../../../components/TextField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useCreateSnapshot } from '../../../queries/vmStorage.ts';
import { canChangeStorage, isLive } from './storageStates.ts';

/** Takes a snapshot: with RAM while the guest runs (it pauses for the save), disk-only while stopped. */
export function CreateSnapshotForm({ vm }: { vm: Vm }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [descriptionError, setDescriptionError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const mutation = useCreateSnapshot(vm.id);
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const text = description.trim();
    const parsed = CreateSnapshotRequestSchema.safeParse({
      name: name.trim(),
      ...(text !== '' && { description: text }),
    });
    const issueAt = (field: string) => parsed.error?.issues.find((i) => i.path[0] === field)?.message;
    setError(issueAt('name'));
    setDescriptionError(issueAt('description'));
    if (!parsed.success) return;
    mutation.mutate(parsed.data, {
      onSuccess: (s) => {
        notify.success(`Took snapshot ${s.name} of ${vm.name}`, s.withRam ? 'disks and RAM' : 'disks only');
        setName('');
        setDescription('');
      },
      onError: (err) => {
        if (err.details.length > 0) setError(err.details[0]?.message);
        notify.error(`Could not take snapshot ${parsed.data.name}`, err);
      },
    });
  };

  const hint = isLive(vm.state)
    ? 'With RAM: reverting brings the running guest back to this moment.'
    : 'Disk-only (the guest is not running).';
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={`Take a snapshot of ${vm.name}`}>
      <TextField label="Snapshot name" error={error} hint={hint} value={name} onChange={setName} />
      <TextField
        label="Description (optional)"
        error={descriptionError}
        hint="What it is for, e.g. “before the kernel upgrade”."
        value={description}
        onChange={setDescription}
        spellCheck
      />
      <div className="form-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!canChangeStorage(vm.state) || vm.disks.length === 0 || mutation.isPending}
          aria-busy={mutation.isPending}
        >
          {mutation.isPending ? 'Taking snapshot…' : 'Take snapshot'}
        </button>
      </div>
    </form>
  );
}
