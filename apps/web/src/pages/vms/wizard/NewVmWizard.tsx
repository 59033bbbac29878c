import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent, type SubmitEvent } from 'react';
import { flushSync } from 'react-dom';
import { useNavigate } from 'react-router-dom';
import type { HostInfo, Image, OsType, UploadedImage } from '@virtweb/protocol';
import { useNotify } from '../../../components/notify/context.ts';
import { useLeaveGuard } from '../../../components/useLeaveGuard.ts';
import { nicNetworksQuery } from '../../../queries/networks.ts';
import { useCreateVm, useVmAction } from '../../../queries/vms.ts';
import { isCdImage } from '../../imageKinds.ts';
import { UploadImagePanel } from '../../images/UploadImagePanel.tsx';
import { ERROR_KEYS_OF_VALUE, pickErrors, serverErrors, withoutErrors } from './errorPaths.ts';
import { focusFirstField, focusFirstInvalid } from './focus.ts';
import { LeaveWizardDialog } from './LeaveWizardDialog.tsx';
import { MachineFields } from './MachineFields.tsx';
import { MediaStep } from './MediaStep.tsx';
import { NetworkEditor } from './NetworkEditor.tsx';
import type { NetworkDraft, PathErrors } from './networkDraft.ts';
import { ConnectionSelect } from './ConnectionSelect.tsx';
import { OsStep } from './OsStep.tsx';
import { ResourcesStep } from './ResourcesStep.tsx';
import { StepList } from './StepList.tsx';
import type { SetValue, StepProps } from './stepProps.ts';
import { STEPS, stepIndex, stepOfKey, type StepId } from './steps.ts';
import { StorageStep } from './StorageStep.tsx';
import { WizardButtons } from './WizardButtons.tsx';
import { SummaryStep } from './SummaryStep.tsx';
import { clearDraft, loadDraft, saveDraft, type WizardDraft } from './wizardDraft.ts';
import { followSuggestion, nameProblem, suggestName } from './wizardName.ts';
import { checkWizard } from './wizardRequest.ts';
import {
  applyPreset,
  initialWizardValues,
  type MediaKind,
  type PresetField,
  type WizardValues,
} from './wizardValues.ts';
import './wizard.css';
import { FormError } from '../../../components/FormError.tsx';

const FORM_ID = 'new-vm-step';
const PRESET_FIELDS = new Set<string>([
  'memoryMiB',
  'vcpus',
  'balloon',
  'diskSize',
  'diskBus',
  'clock',
  'machine',
  'firmware',
]);
const isPresetField = (key: string): key is PresetField => PRESET_FIELDS.has(key);

function stepsWithErrors(errors: PathErrors, media: MediaKind): Set<StepId> {
  return new Set(Object.keys(errors).map((key) => stepOfKey(key, media)));
}

/** Enter in a text field, select, radio or checkbox goes to the next step (buttons keep their own Enter). */
function enterSubmits(e: KeyboardEvent<HTMLFormElement>): void {
  if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
  const t = e.target;
  if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type !== 'file')) {
    e.preventDefault();
    e.currentTarget.requestSubmit();
  }
}

/** The form as it opens: the defaults with a free name suggested. */
function freshValues(images: readonly Image[], host: HostInfo, vmNames: readonly string[]): WizardValues {
  const v = initialWizardValues(images, host);
  return { ...v, name: suggestName(v, vmNames) };
}

interface Props {
  images: Image[];
  host: HostInfo;
  /** The guests on this host: a new name must differ. */
  vmNames: readonly string[];
}

/**
 * The new-VM wizard: virt-manager's steps on one page with a step list. Each step is checked with the
 * server's schema before the next; server answers (400 paths, 409 clashes) land next to their fields. The
 * form is kept in the tab's session storage (a reload restores it), and leaving it asks first.
 */
export function NewVmWizard({ images, host, vmNames }: Props) {
  const [draft] = useState(() => loadDraft(sessionStorage));
  const [fresh] = useState(() => freshValues(images, host, vmNames));
  const [values, setValues] = useState(() => draft?.values ?? fresh);
  const [touched, setTouched] = useState<ReadonlySet<PresetField>>(() => new Set(draft?.touched));
  const [step, setStep] = useState<StepId>(draft?.step ?? 'media');
  const [reached, setReached] = useState(draft?.reached ?? 0);
  const [errors, setErrors] = useState<PathErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [uploadOpen, setUploadOpen] = useState(() => !images.some(isCdImage));
  const managedNetworks = useQuery(nicNetworksQuery());
  const panel = useRef<HTMLElement>(null);
  const create = useCreateVm();
  const start = useVmAction('start');
  const notify = useNotify();
  const navigate = useNavigate();
  const ctx = { images, host, vmNames };
  const at = stepIndex(step);
  const busy = create.isPending || start.isPending;
  const dirty = reached > 0 || JSON.stringify(values) !== JSON.stringify(fresh);
  const guard = useLeaveGuard(dirty);

  useEffect(() => focusFirstField(panel.current), []);
  useEffect(() => {
    const kept: WizardDraft = { values, touched: [...touched], step, reached };
    if (dirty) saveDraft(sessionStorage, kept);
    else clearDraft(sessionStorage);
  }, [dirty, values, touched, step, reached]);

  /** Changes values; `changed` is the field the user touched (the preset keeps it; its errors go). */
  const patch = (p: Partial<WizardValues>, changed: keyof WizardValues) => {
    setValues((v) => {
      const next = { ...v, ...p };
      return changed === 'name' ? next : { ...next, name: followSuggestion(v, next, vmNames) };
    });
    if (isPresetField(changed)) setTouched((t) => new Set(t).add(changed));
    setErrors((e) => withoutErrors(e, ERROR_KEYS_OF_VALUE[changed] ?? [changed]));
  };
  const set: SetValue = (key, value) => patch({ [key]: value }, key);
  const setNetwork = (network: NetworkDraft, changed: string) => {
    setValues((v) => ({ ...v, network }));
    if (changed === 'nics.0.model') setTouched((t) => new Set(t).add('nicModel'));
    setErrors((e) => withoutErrors(e, [changed]));
  };
  const setOs = (os: OsType) => {
    setValues((v) => {
      const next = applyPreset(v, os, touched);
      return { ...next, name: followSuggestion(v, next, vmNames) };
    });
    setErrors((e) => withoutErrors(e, ['os']));
  };
  const onUploaded = (img: UploadedImage) => {
    if (!isCdImage(img)) return;
    set('media', 'iso');
    set('iso', img.name);
  };

  const goTo = (to: StepId) => {
    flushSync(() => {
      setStep(to);
      setReached((r) => Math.max(r, stepIndex(to)));
    });
    focusFirstField(panel.current);
  };

  /** Shows the messages, opens `target` (default: the first step with one) and focuses the first bad field. */
  const showErrors = (fields: PathErrors, form: string | null, target?: StepId) => {
    const bad = stepsWithErrors(fields, values.media);
    const to = target ?? STEPS.find((s) => bad.has(s.id))?.id ?? 'summary';
    flushSync(() => {
      setErrors(fields);
      setFormError(form);
      setStep(to);
    });
    if (!focusFirstInvalid(panel.current)) focusFirstField(panel.current);
  };

  const next = () => {
    const check = checkWizard(values, ctx);
    const upToHere = (key: string) => stepIndex(stepOfKey(key, values.media)) <= at;
    const here = check.ok ? {} : pickErrors(check.errors, upToHere);
    if (Object.keys(here).length > 0) return showErrors(here, null);
    setErrors((e) => pickErrors(e, (key) => !upToHere(key)));
    setFormError(null);
    const following = STEPS[at + 1];
    if (following) goTo(following.id);
  };

  const submitCreate = (thenStart: boolean) => {
    const check = checkWizard(values, ctx);
    if (!check.ok) return showErrors(check.errors, null);
    setFormError(null);
    create.mutate(check.request, {
      onSuccess: (vm) => {
        guard.release();
        clearDraft(sessionStorage);
        if (!thenStart) {
          notify.success(`Created ${vm.name}`, 'Start it from the list or from its page.');
          void navigate('/vms');
          return;
        }
        start.mutate(vm.id, {
          onSuccess: () => void navigate(`/vms/${vm.id}?tab=screen`),
          onError: (err) => {
            notify.error(`Created ${vm.name}, but could not start it`, err);
            void navigate(`/vms/${vm.id}`);
          },
        });
      },
      onError: (err) => {
        const { fields, form } = serverErrors(err);
        showErrors(fields, form, Object.keys(fields).length === 0 ? 'summary' : undefined);
      },
    });
  };

  const onSubmit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    if (step === 'summary') submitCreate(false);
    else next();
  };

  // The name is checked as it is typed; the other fields when the step is done.
  const shown =
    step === 'media' ? { ...errors, name: errors.name ?? nameProblem(values.name, vmNames) } : errors;
  const props: StepProps = { values, set, errors: shown, images, host };
  const title = STEPS[at]?.title ?? '';
  return (
    <div className="wizard">
      <StepList
        current={step}
        reached={reached}
        withErrors={stepsWithErrors(errors, values.media)}
        onSelect={goTo}
      />
      <section className="wizard-panel panel" ref={panel} aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" tabIndex={-1}>
          <span className="muted">
            Step {at + 1} of {STEPS.length}:
          </span>{' '}
          {title}
        </h2>
        <FormError message={formError} focusable />
        <form
          id={FORM_ID}
          className="form"
          noValidate
          onSubmit={onSubmit}
          onKeyDown={enterSubmits}
          aria-label={title}
        >
          {step === 'media' && <MediaStep {...props} />}
          {step === 'os' && <OsStep values={values} errors={errors} onOs={setOs} />}
          {step === 'cpu' && <ResourcesStep {...props} />}
          {step === 'storage' && <StorageStep {...props} />}
          {step === 'network' && (
            <NetworkEditor
              value={values.network}
              onChange={setNetwork}
              hostNetwork={host.network}
              managedNetworks={managedNetworks.data ?? []}
              errors={errors}
            />
          )}
          {step === 'machine' && (
            <>
              <ConnectionSelect
                value={values.connection}
                onChange={(c) => set('connection', c)}
                error={errors.connection}
              />
              <MachineFields value={values} onChange={patch} host={host} errors={errors} />
            </>
          )}
          {step === 'summary' && (
            <SummaryStep
              check={checkWizard(values, ctx)}
              media={values.media}
              onShowErrors={(fields, target) => showErrors(fields, null, target)}
            />
          )}
        </form>
        {step === 'media' && values.media === 'iso' && (
          <details
            className="wizard-upload"
            open={uploadOpen}
            onToggle={(e) => setUploadOpen(e.currentTarget.open)}
          >
            <summary>Upload an ISO image</summary>
            <UploadImagePanel onUploaded={onUploaded} />
          </details>
        )}
        <WizardButtons
          formId={FORM_ID}
          onBack={at > 0 ? () => goTo(STEPS[at - 1]?.id ?? 'media') : undefined}
          summary={step === 'summary'}
          onCreateAndStart={() => submitCreate(true)}
          creating={create.isPending}
          busy={busy}
        />
      </section>
      <LeaveWizardDialog blocker={guard.blocker} onDiscard={() => clearDraft(sessionStorage)} />
    </div>
  );
}
