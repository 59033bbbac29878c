import { DISK_BUS_LABELS, OS_PRESETS, OsTypeSchema, PRESET_DEVICES, type OsType } from '@virtweb/protocol';
import { memoryLabel } from '../../vmFormat.ts';
import { RadioGroup } from '../../../components/RadioGroup.tsx';
import type { StepProps } from './stepProps.ts';

const OS_OPTIONS = OsTypeSchema.options.map((os) => ({ value: os, label: OS_PRESETS[os].label }));

/** What a preset picks, in one line: "1 GiB, 1 vCPU, 10 GiB virtio disk, virtio NIC, balloon, clock UTC". */
export function presetSummary(os: OsType): string {
  const p = OS_PRESETS[os];
  return [
    memoryLabel(p.memoryMiB),
    `${p.vcpus} vCPU${p.vcpus === 1 ? '' : 's'}`,
    `${p.diskSizeGiB} GiB ${DISK_BUS_LABELS[p.diskBus]} disk`,
    `${p.nicModel} NIC`,
    p.balloon ? 'memory balloon' : 'no balloon',
    `clock in ${p.clock === 'utc' ? 'UTC' : 'local time'}`,
    ...(p.firmware === 'uefi-secure' ? ['UEFI with Secure Boot'] : p.firmware === 'uefi' ? ['UEFI'] : []),
    ...(PRESET_DEVICES[os].tpm === 'tpm2' ? ['TPM 2.0'] : []),
  ].join(', ');
}

/** Step 2: the OS type; its preset fills in devices and sizes the user has not chosen yet. */
export function OsStep({
  values,
  errors,
  onOs,
}: Pick<StepProps, 'values' | 'errors'> & { onOs: (os: OsType) => void }) {
  const preset = OS_PRESETS[values.os];
  return (
    <>
      <RadioGroup
        legend="Operating system"
        value={values.os}
        options={OS_OPTIONS.map((o) => ({ ...o, hint: OS_PRESETS[o.value].why }))}
        onChange={onOs}
        error={errors.os}
      />
      <p className="wizard-note" aria-live="polite">
        <strong>{preset.label}:</strong> {presetSummary(values.os)}. Choices you made yourself in the next
        steps are kept.
      </p>
      {preset.note && (
        <p className="wizard-note" data-testid="preset-note">
          {preset.note}
        </p>
      )}
    </>
  );
}
