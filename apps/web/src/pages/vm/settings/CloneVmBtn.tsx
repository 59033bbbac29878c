import { useRef, useState, type SubmitEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { isOperationAllowed, type Vm } from '@virtweb/protocol';
import { TextField } from '../../../components/TextField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useCloneVm } from '../../../queries/vmConfig.ts';
import { imagesQuery } from '../../../queries/images.ts';
import { vmsQuery } from '../../../queries/vms.ts';
import { RadioGroup, type RadioOption } from '../../../components/RadioGroup.tsx';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { useRoleGate } from '../../../queries/role.ts';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { showFormErrors } from '../../../components/showFormErrors.ts';
import { FormError } from '../../../components/FormError.tsx';
import {
  initialClone,
  serverCloneErrors,
  targetOf,
  validateClone,
  type CloneErrors,
  type CloneMode,
} from './cloneForm.ts';

const MODES: readonly RadioOption<CloneMode>[] = [
  { value: 'copy', label: 'Copy', hint: 'a full, independent copy (takes as long as copying the data)' },
  {
    value: 'overlay',
    label: 'Overlay',
    hint: 'a small qcow2 file on top of the original: fast, but the original must stay unchanged (its VM cannot start while the overlay exists)',
  },
];

/** Clones a stopped guest: a dialog with the new name and, per disk, copy or overlay and the new image's name. */
export function CloneVmBtn({ vm }: { vm: Vm }) {
  const role = useRoleGate('operate');
  return (
    <DialogButton
      label="Clone"
      title={`Clone ${vm.name}`}
      disabled={!role.allowed || !isOperationAllowed('clone', vm.state)}
      disabledReason={role.reason ?? 'Only a stopped guest can be cloned.'}
    >
      {(close) => <CloneForm vm={vm} onClose={close} />}
    </DialogButton>
  );
}

function CloneForm({ vm, onClose }: { vm: Vm; onClose: () => void }) {
  const [values, setValues] = useState(() => initialClone(vm));
  const [errors, setErrors] = useState<CloneErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const vms = useQuery(vmsQuery());
  const images = useQuery(imagesQuery());
  const clone = useCloneVm(vm.id);
  const notify = useNotify();
  const navigate = useNavigate();

  const setDisk = (i: number, patch: Partial<(typeof values.disks)[number]>) => {
    setValues((v) => ({ ...v, disks: v.disks.map((d, j) => (j === i ? { ...d, ...patch } : d)) }));
    setErrors((e) => ({ ...e, [`disks.${i}.target`]: undefined }));
  };

  const showErrors = (fields: CloneErrors, message: string | null) =>
    showFormErrors(form, () => {
      setErrors(fields);
      setFormError(message);
    });

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checked = validateClone(values, {
      vmNames: new Set((vms.data ?? []).map((v) => v.name)),
      imageNames: new Set((images.data ?? []).map((i) => i.name)),
    });
    if (!checked.ok) return showErrors(checked.errors, null);
    showErrors({}, null);
    clone.mutate(checked.request, {
      onSuccess: (copy) => {
        notify.success(`Cloned ${vm.name} as ${copy.name}`);
        onClose();
        void navigate(`/vms/${copy.id}`);
      },
      onError: (err) => {
        const shown = serverCloneErrors(err);
        showErrors(shown.errors, shown.form);
      },
    });
  };

  return (
    <form ref={form} className="form" onSubmit={submit} noValidate aria-label={`Clone ${vm.name}`}>
      <FormError message={formError} focusable />
      <TextField
        label="New name"
        error={errors.name}
        value={values.name}
        onChange={(name) => {
          setValues((v) => ({ ...v, name }));
          setErrors({});
        }}
      />
      {values.disks.length === 0 && (
        <p className="muted">{vm.name} has no disks: only the definition is copied.</p>
      )}
      {values.disks.map((d, i) => (
        <fieldset key={d.image} className="settings-clone-disk">
          <legend>Disk {d.image}</legend>
          <RadioGroup
            legend={`How to clone ${d.image}`}
            value={d.mode}
            options={MODES}
            onChange={(mode) => setDisk(i, { mode })}
          />
          <TextField
            label={`New image for ${d.image}`}
            error={errors[`disks.${i}.target`]}
            value={d.targetEdited ? d.target : targetOf(values, i)}
            spellCheck={false}
            onChange={(target) => setDisk(i, { target, targetEdited: true })}
          />
        </fieldset>
      ))}
      <DialogFormButtons onCancel={onClose} label="Clone" busyLabel="Cloning…" busy={clone.isPending} />
    </form>
  );
}
