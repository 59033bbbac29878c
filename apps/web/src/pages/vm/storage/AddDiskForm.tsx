import { useState, type SubmitEvent } from 'react';
import { MAX_DISKS, type Image, type Vm } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useAddDisk } from '../../../queries/vmStorage.ts';
import { isDiskImage } from '../../imageKinds.ts';
import { canChangeStorage, isLive } from './storageStates.ts';

/** Attaches a free disk image in the next slot: hot-plugged into a running guest. */
export function AddDiskForm({ vm, images }: { vm: Vm; images: Image[] }) {
  const free = images.filter(
    (i) => isDiskImage(i) && i.usedBy.length === 0 && i.operation === undefined && i.problem === undefined,
  );
  const [choice, setChoice] = useState('');
  const mutation = useAddDisk(vm.id);
  const notify = useNotify();
  const image = free.some((i) => i.name === choice) ? choice : (free[0]?.name ?? '');
  const full = vm.disks.length >= MAX_DISKS;
  const label = isLive(vm.state) ? 'Hot-add disk' : 'Add disk';

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (image === '') return;
    mutation.mutate(image, {
      onSuccess: (disk) => notify.success(`Attached ${disk.image} to ${vm.name}`, `slot ${disk.index}`),
      onError: (err) => notify.error(`Could not attach ${image} to ${vm.name}`, err),
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`Add a disk to ${vm.name}`}>
      <div className="field-row">
        <Field
          label="Image"
          hint={free.length === 0 ? 'No unused disk image: create one on the Images page.' : undefined}
        >
          {(p) => (
            <select
              {...p}
              value={image}
              onChange={(e) => setChoice(e.target.value)}
              disabled={free.length === 0}
            >
              {free.map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name} ({i.format})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-buttons">
        <button
          type="submit"
          className="btn"
          disabled={image === '' || full || !canChangeStorage(vm.state) || mutation.isPending}
          aria-busy={mutation.isPending}
        >
          {mutation.isPending ? `${label}…` : label}
        </button>
        {full && <span className="muted">All {MAX_DISKS} disk slots are in use.</span>}
      </div>
    </form>
  );
}
