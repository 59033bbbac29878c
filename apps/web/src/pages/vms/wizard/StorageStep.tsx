import { formatBytes, parseSize } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { isDiskImage } from '../../imageKinds.ts';
import { DiskBusSelect } from './DiskBusSelect.tsx';
import { RadioGroup } from '../../../components/RadioGroup.tsx';
import type { StepProps } from './stepProps.ts';
import { diskNameOf, type StorageKind } from './wizardValues.ts';

const STORAGE_OPTIONS = [
  { value: 'new', label: 'Create a new disk', hint: 'an empty image to install onto' },
  { value: 'existing', label: 'Use an existing disk image' },
  { value: 'none', label: 'No disk', hint: 'e.g. a live CD' },
] as const satisfies readonly { value: StorageKind; label: string; hint?: string }[];

/** Step 4: the guest's disk (new, existing, none; an imported disk is fixed) and its bus. */
export function StorageStep({ values, set, errors, images }: StepProps) {
  const bus = (
    <DiskBusSelect
      value={values.diskBus}
      onChange={(b) => set('diskBus', b)}
      machine={values.machine}
      error={errors['disks.0.bus']}
    />
  );
  if (values.media === 'import') {
    return (
      <>
        <p className="wizard-note">
          The guest boots from the imported disk <strong>{values.importDisk || '(none chosen)'}</strong>.
        </p>
        {bus}
      </>
    );
  }
  const disks = images.filter(isDiskImage);
  const bytes = parseSize(values.diskSize);
  return (
    <>
      <RadioGroup
        legend="Disk"
        value={values.storage}
        options={STORAGE_OPTIONS}
        onChange={(storage) => set('storage', storage)}
        error={errors.disks}
      />
      {values.storage === 'new' && (
        <>
          <Field
            label="Disk name"
            error={errors['disks.0.image']}
            hint="the new image's name in the image store"
          >
            {(p) => (
              <input
                {...p}
                value={diskNameOf(values)}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('diskName', e.target.value)}
              />
            )}
          </Field>
          <div className="field-row">
            <Field
              label="Format"
              error={errors['disks.0.create.format']}
              hint={
                values.diskFormat === 'qcow2'
                  ? 'grows as the guest writes; snapshots and overlays'
                  : 'plain bytes: fastest, no snapshots'
              }
            >
              {(p) => (
                <select
                  {...p}
                  value={values.diskFormat}
                  onChange={(e) => set('diskFormat', e.target.value === 'raw' ? 'raw' : 'qcow2')}
                >
                  <option value="qcow2">qcow2</option>
                  <option value="raw">raw</option>
                </select>
              )}
            </Field>
            <Field
              label="Size"
              error={errors['disks.0.create.sizeBytes']}
              hint={bytes !== null && bytes > 0 ? `${formatBytes(bytes)}; e.g. 10G, 512M` : 'e.g. 10G, 512M'}
            >
              {(p) => (
                <input
                  {...p}
                  value={values.diskSize}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => set('diskSize', e.target.value)}
                />
              )}
            </Field>
          </div>
        </>
      )}
      {values.storage === 'existing' && (
        <Field
          label="Disk image"
          error={errors['disks.0.image']}
          hint={disks.length === 0 ? 'No disk image on this host yet.' : undefined}
        >
          {(p) => (
            <select {...p} value={values.existingDisk} onChange={(e) => set('existingDisk', e.target.value)}>
              <option value="">Choose a disk image…</option>
              {disks.map((d) => (
                <option key={d.name} value={d.name}>
                  {d.name} ({d.format}, {formatBytes(d.virtualSize)})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {values.storage !== 'none' && bus}
    </>
  );
}
