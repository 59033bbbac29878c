import { useRef, useState, type SubmitEvent } from 'react';
import { flushSync } from 'react-dom';
import { Link, useNavigate } from 'react-router-dom';
import { AccelSchema, MAX_VCPUS, MIN_MEMORY_MIB, formatBytes, type Image } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useCreateVm } from '../../queries/vms.ts';
import { isCdImage, isDiskImage } from '../imageKinds.ts';
import {
  initialVmForm,
  serverVmErrors,
  validateVmForm,
  type VmFormErrors,
  type VmFormValues,
} from './vmForm.ts';

const imageOption = (img: Image) => (
  <option key={img.name} value={img.name}>
    {img.name} ({formatBytes(img.virtualSize)})
  </option>
);

const bootValue = (v: string): VmFormValues['boot'] => (v === 'cdrom' || v === 'disk' ? v : '');

export function NewVmForm({ images }: { images: Image[] }) {
  const [values, setValues] = useState<VmFormValues>(initialVmForm);
  const [errors, setErrors] = useState<VmFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const create = useCreateVm();
  const notify = useNotify();
  const navigate = useNavigate();
  const cds = images.filter(isCdImage);
  const disks = images.filter(isDiskImage);

  const set = <K extends keyof VmFormValues>(key: K, value: VmFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  /** Shows the messages and moves the focus to the first field that has one. */
  const showErrors = (fields: VmFormErrors, message: string | null) => {
    flushSync(() => {
      setErrors(fields);
      setFormError(message);
    });
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"], .form-error')?.focus();
  };

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checked = validateVmForm(values);
    if (!checked.ok) return showErrors(checked.errors, null);
    showErrors({}, null);
    create.mutate(checked.request, {
      onSuccess: (vm) => {
        notify.success(`Created ${vm.name}`, 'Start it from the list or from its page.');
        void navigate('/vms');
      },
      onError: (err) => {
        const { fields, form: message } = serverVmErrors(err);
        showErrors(fields, message);
      },
    });
  };

  return (
    <form ref={form} className="form" onSubmit={submit} noValidate aria-describedby="new-vm-help">
      <p id="new-vm-help" className="muted">
        The guest boots from the CD image; add a disk to install onto. Images are managed on the{' '}
        <Link to="/images">Images</Link> page.
      </p>
      {formError && (
        <p className="form-error" role="alert" tabIndex={-1}>
          {formError}
        </p>
      )}
      <Field label="Name" error={errors.name}>
        {(p) => (
          <input
            {...p}
            value={values.name}
            autoComplete="off"
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>
      <div className="field-row">
        <Field label="Memory (MiB)" error={errors.memoryMiB} hint={`at least ${MIN_MEMORY_MIB} MiB`}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={MIN_MEMORY_MIB}
              step={1}
              value={values.memoryMiB}
              onChange={(e) => set('memoryMiB', e.target.value)}
            />
          )}
        </Field>
        <Field label="vCPUs" error={errors.vcpus} hint={`1 to ${MAX_VCPUS}`}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_VCPUS}
              step={1}
              value={values.vcpus}
              onChange={(e) => set('vcpus', e.target.value)}
            />
          )}
        </Field>
      </div>
      <Field
        label="CD image"
        error={errors.cdrom}
        hint={cds.length === 0 ? 'no ISO images on this host yet' : undefined}
      >
        {(p) => (
          <select {...p} value={values.cdrom} onChange={(e) => set('cdrom', e.target.value)}>
            <option value="">None</option>
            {cds.map(imageOption)}
          </select>
        )}
      </Field>
      <Field label="Disk" error={errors.disk} hint="optional: a qcow2 or raw image">
        {(p) => (
          <select {...p} value={values.disk} onChange={(e) => set('disk', e.target.value)}>
            <option value="">None</option>
            {disks.map(imageOption)}
          </select>
        )}
      </Field>
      <div className="field-row">
        <Field label="Boot device" error={errors.boot}>
          {(p) => (
            <select {...p} value={values.boot} onChange={(e) => set('boot', bootValue(e.target.value))}>
              <option value="">Default</option>
              <option value="cdrom">CD image</option>
              <option value="disk">Disk</option>
            </select>
          )}
        </Field>
        <Field label="Accelerator" error={errors.accel} hint="auto uses KVM when the host can, TCG otherwise">
          {(p) => (
            <select
              {...p}
              value={values.accel}
              onChange={(e) => set('accel', AccelSchema.parse(e.target.value))}
            >
              <option value="auto">auto</option>
              <option value="kvm">KVM (hardware)</option>
              <option value="tcg">TCG (software emulation)</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Network" error={errors.network}>
        {(p) => (
          <select
            {...p}
            value={values.network}
            onChange={(e) => set('network', e.target.value === 'none' ? 'none' : 'user')}
          >
            <option value="user">User-mode NAT (the guest reaches out, nothing reaches in)</option>
            <option value="none">None</option>
          </select>
        )}
      </Field>
      <div className="form-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending}
          aria-busy={create.isPending}
        >
          {create.isPending ? 'Creating…' : 'Create VM'}
        </button>
        <Link className="btn" to="/vms">
          Cancel
        </Link>
      </div>
    </form>
  );
}
