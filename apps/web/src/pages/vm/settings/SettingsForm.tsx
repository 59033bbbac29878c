import { useRef, useState, type SubmitEvent } from 'react';
import type { HostInfo, Image, Vm } from '@virtweb/protocol';
import { useNotify } from '../../../components/notify/context.ts';
import { showFormErrors } from '../../../components/showFormErrors.ts';
import { useUpdateVm } from '../../../queries/vmConfig.ts';
import { canChangeStorage, isLive } from '../storage/storageStates.ts';
import { BootFields } from './BootFields.tsx';
import { DevicesSection } from './DevicesFields.tsx';
import { MachineSection, NetworkSection } from './ConnectionFields.tsx';
import { GeneralFields } from './GeneralFields.tsx';
import { changeLabel } from './labels.ts';
import { FormError } from '../../../components/FormError.tsx';
import {
  changedFields,
  configSignature,
  serverSettingsErrors,
  settingsValuesOf,
  validateSettings,
  type SetSetting,
  type SettingsErrors,
  type SettingsValues,
} from './settingsValues.ts';

/** The error keys a form field's messages live under (sockets → topology.sockets and topology). */
function errorPrefixes(key: keyof SettingsValues): string[] {
  switch (key) {
    case 'sockets':
    case 'cores':
    case 'threads':
      return [`topology.${key}`, 'topology'];
    case 'customTopology':
    case 'vcpus':
      return [key, 'topology'];
    case 'kernel':
    case 'initrd':
    case 'cmdline':
      return ['kernel', 'boot'];
    case 'machine':
      return [key, 'firmware'];
    default:
      return [key];
  }
}

function withoutErrors(errors: SettingsErrors, prefixes: readonly string[]): SettingsErrors {
  return Object.fromEntries(
    Object.entries(errors).filter(([k]) => !prefixes.some((p) => k === p || k.startsWith(`${p}.`))),
  );
}

interface Props {
  vm: Vm;
  host: HostInfo | undefined;
  images: readonly Image[];
}

/**
 * One form for the whole configuration, saved with one PUT. While the guest runs, what is saved applies at
 * the next start (the form says which fields), and the disks and CD are the Storage tab's.
 */
export function SettingsForm({ vm, host, images }: Props) {
  const signature = configSignature(vm);
  const [base, setBase] = useState(() => ({ signature, values: settingsValuesOf(vm) }));
  const [values, setValues] = useState(base.values);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const update = useUpdateVm(vm.id);
  const notify = useNotify();
  const live = isLive(vm.state);
  const editable = canChangeStorage(vm.state);
  const dirty = JSON.stringify(values) !== JSON.stringify(base.values);

  // The stored configuration changed (a save, another browser): follow it unless there are edits.
  if (base.signature !== signature) {
    const fresh = { signature, values: settingsValuesOf(vm) };
    setBase(fresh);
    if (!dirty) setValues(fresh.values);
  }

  const locked = live
    ? { disks: vm.disks.map((d) => ({ image: d.image, bus: d.bus })), cdrom: vm.cdrom ?? '' }
    : undefined;
  // The NICs besides the first are the NIC panel's (live): always the stored ones, never a stale copy.
  const check = validateSettings({ ...values, nics: vm.nics }, locked);
  const nextStart = live && check.ok ? changedFields(vm, check.request).filter((f) => f !== 'name') : [];

  const set: SetSetting = (key, value) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => withoutErrors(e, errorPrefixes(key)));
  };
  /** Several fields from one editor; `changed` is the error key the change may fix. */
  const patch = (p: Partial<SettingsValues>, changed: string) => {
    setValues((v) => ({ ...v, ...p }));
    setErrors((e) => withoutErrors(e, changed === 'machine' ? ['machine', 'firmware'] : [changed]));
  };

  /** Shows the messages and moves the focus to the first field that has one. */
  const showErrors = (fields: SettingsErrors, message: string | null) =>
    showFormErrors(form, () => {
      setErrors(fields);
      setFormError(message);
    });

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!check.ok) return showErrors(check.errors, check.form);
    showErrors({}, null);
    update.mutate(check.request, {
      onSuccess: (answer) => {
        const fresh = settingsValuesOf(answer);
        setBase({ signature: configSignature(answer), values: fresh });
        setValues(fresh);
        const pending = answer.pendingChanges ?? [];
        notify.success(
          `Saved the settings of ${answer.name}`,
          pending.length > 0 ? `Pending until next start: ${pending.map(changeLabel).join(', ')}` : undefined,
        );
      },
      onError: (err) => {
        const shown = serverSettingsErrors(err, values);
        showErrors(shown.errors, shown.form);
      },
    });
  };

  const section = { values, errors, set };
  return (
    <form
      ref={form}
      className="form settings-form"
      onSubmit={submit}
      noValidate
      aria-label={`Settings of ${vm.name}`}
    >
      {!editable && (
        <p className="settings-note" role="status">
          The guest is {vm.state}: wait until it runs or has stopped to change its settings.
        </p>
      )}
      {live && editable && (
        <p className="settings-note">
          The guest is running: changes are stored now and <strong>apply at the next start</strong>.
        </p>
      )}
      <FormError message={formError} focusable />
      <fieldset className="settings-body" disabled={!editable || update.isPending}>
        <GeneralFields {...section} host={host} />
        <BootFields {...section} images={images} storageLocked={live} />
        <NetworkSection {...section} patch={patch} host={host} />
        <MachineSection {...section} patch={patch} host={host} />
        <DevicesSection values={values} errors={errors} patch={patch} host={host} />
      </fieldset>
      <div className="form-buttons settings-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!editable || update.isPending}
          aria-busy={update.isPending}
        >
          {update.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={!dirty || update.isPending}
          onClick={() => {
            setValues(base.values);
            setErrors({});
            setFormError(null);
          }}
        >
          Discard changes
        </button>
        <span className="muted small" role="status">
          {nextStart.length > 0 && `Applies at next start: ${nextStart.map(changeLabel).join(', ')}`}
          {!dirty && !update.isPending && 'No unsaved changes.'}
        </span>
      </div>
    </form>
  );
}
