import { useState, type SubmitEvent } from 'react';
import { HOTPLUG_DISK_BUSES, MAX_DISKS, type Image, type Vm } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { RadioGroup } from '../../../components/RadioGroup.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useAddDisk } from '../../../queries/vmStorage.ts';
import { isDiskImage } from '../../imageKinds.ts';
import { DiskBusSelect } from '../../vms/wizard/DiskBusSelect.tsx';
import { addDiskRequestOf, initialAddDisk, newImageName, type AddDiskErrors } from './addDiskValues.ts';
import { DiskOptionsFields } from './DiskOptionsFields.tsx';
import { canChangeStorage, isLive } from './storageStates.ts';

/**
 * virt-manager's "Add Hardware → Storage": a new image (made with qemu-img) or a free existing one, on a bus
 * with its options, in the next slot. Hot-plugged into a running guest where the bus allows it; SATA and IDE
 * disks of a running guest wait for its next start.
 */
export function AddDiskForm({ vm, images }: { vm: Vm; images: Image[] }) {
  const free = images.filter(
    (i) => isDiskImage(i) && i.usedBy.length === 0 && i.operation === undefined && i.problem === undefined,
  );
  const [values, setValues] = useState(() =>
    initialAddDisk(
      vm,
      free.map((i) => i.name),
    ),
  );
  const [errors, setErrors] = useState<AddDiskErrors>({});
  const mutation = useAddDisk(vm.id);
  const notify = useNotify();
  const existing = free.some((i) => i.name === values.existing) ? values.existing : (free[0]?.name ?? '');
  const v = { ...values, existing };
  const full = vm.disks.length >= MAX_DISKS;
  const live = isLive(vm.state);
  const atNextStart = live && !HOTPLUG_DISK_BUSES.includes(v.bus);
  const label = live && !atNextStart ? 'Hot-add disk' : 'Add disk';

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checked = addDiskRequestOf(vm, v);
    if (checked.errors) return setErrors(checked.errors);
    setErrors({});
    const { request } = checked;
    mutation.mutate(request, {
      onSuccess: (disk) => {
        const when = disk.pending === true ? ': it applies at the next start' : '';
        notify.success(`Added ${disk.image} to ${vm.name}${when}`, `slot ${disk.index}, ${disk.bus}`);
        setValues({ ...initialAddDisk(vm, []), bus: v.bus });
      },
      onError: (err) => notify.error(`Could not add ${request.image} to ${vm.name}`, err),
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`Add a disk to ${vm.name}`} noValidate>
      <RadioGroup
        legend="Disk image"
        value={v.source}
        onChange={(source) => setValues({ ...v, source })}
        options={[
          { value: 'new', label: 'Create a new image' },
          {
            value: 'existing',
            label: 'Use an existing image',
            disabledReason: free.length === 0 ? 'No unused disk image in the store.' : undefined,
          },
        ]}
      />
      {v.source === 'new' ? (
        <div className="field-row">
          <TextField
            label="Name"
            spellCheck={false}
            value={newImageName(vm, v)}
            onChange={(name) => setValues({ ...v, name })}
            error={errors.name}
          />
          <Field label="Format">
            {(p) => (
              <select
                {...p}
                value={v.format}
                onChange={(e) => setValues({ ...v, format: e.target.value === 'raw' ? 'raw' : 'qcow2' })}
              >
                <option value="qcow2">qcow2 (grows as used, snapshots)</option>
                <option value="raw">raw (all space at once, fastest)</option>
              </select>
            )}
          </Field>
          <TextField
            label="Size"
            hint='e.g. "10G", "512M"'
            value={v.size}
            onChange={(size) => setValues({ ...v, size })}
            error={errors.size}
          />
        </div>
      ) : (
        <Field label="Image" error={errors.existing}>
          {(p) => (
            <select {...p} value={existing} onChange={(e) => setValues({ ...v, existing: e.target.value })}>
              {free.map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name} ({i.format})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <DiskBusSelect
        label="Bus"
        value={v.bus}
        machine={vm.machine}
        onChange={(bus) => setValues({ ...v, bus })}
        error={errors.bus}
      />
      <DiskOptionsFields
        bus={v.bus}
        values={v.options}
        onChange={(options) => setValues({ ...v, options })}
        errors={errors}
      />
      <div className="form-buttons">
        <button
          type="submit"
          className="btn"
          disabled={full || !canChangeStorage(vm.state) || mutation.isPending}
          aria-busy={mutation.isPending}
        >
          {mutation.isPending ? `${label}…` : label}
        </button>
        {full && <span className="muted">All {MAX_DISKS} disk slots are in use.</span>}
        {atNextStart && !full && (
          <span className="muted">
            A {v.bus.toUpperCase()} disk cannot be hot-plugged: it applies at the next start.
          </span>
        )}
      </div>
    </form>
  );
}
