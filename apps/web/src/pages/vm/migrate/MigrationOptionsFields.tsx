import { useId, useState } from 'react';
import { Field } from '../../../components/Field.tsx';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { multifdBox, postcopyBox, type MigrateErrors, type MigrateValues } from './migrateValues.ts';

type Flag = 'autoConverge' | 'postcopy' | 'multifd' | 'xbzrle' | 'compressZstd' | 'plainStream';

const FLAGS: readonly { key: Flag; label: string; hint: string }[] = [
  {
    key: 'autoConverge',
    label: 'Auto-converge',
    hint: 'Slows the guest’s vCPUs down when it dirties memory faster than the link carries it.',
  },
  {
    key: 'postcopy',
    label: 'Post-copy',
    hint: 'After the first pass the guest runs on the target and fetches the rest on demand (a network failure then loses the guest).',
  },
  {
    key: 'multifd',
    label: 'Multifd',
    hint: 'Sends memory over several parallel connections (faster on fast links).',
  },
  {
    key: 'xbzrle',
    label: 'XBZRLE',
    hint: 'Resends only the XOR-delta of pages sent before (helps guests that rewrite the same pages).',
  },
  {
    key: 'compressZstd',
    label: 'Compress (zstd)',
    hint: 'Less data on the wire, more CPU on both hosts (uses qemu’s multifd channels).',
  },
  {
    key: 'plainStream',
    label: 'Unencrypted stream (trusted link only)',
    hint: 'Sends the guest’s memory as plain TCP, readable by anyone on the link. Off: qemu encrypts it with TLS.',
  },
];

/** Optional limits, typed as numbers (empty: qemu's default). */
const LIMITS: readonly { key: 'bandwidthMiBs' | 'maxDowntimeMs'; label: string; hint: string }[] = [
  { key: 'bandwidthMiBs', label: 'Bandwidth limit (MiB/s)', hint: 'Empty: qemu’s default (128 MiB/s).' },
  {
    key: 'maxDowntimeMs',
    label: 'Max downtime (ms)',
    hint: 'The longest the guest may pause for the last pass. Empty: qemu’s default (300 ms).',
  },
];

interface Props {
  values: MigrateValues;
  errors: MigrateErrors;
  onChange: (patch: Partial<MigrateValues>) => void;
}

/** The "Options" fold: qemu's migration parameters and capabilities, each with what it does. */
export function MigrationOptionsFields({ values, errors, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  // A field with an error is never folded away.
  const shown = open || Object.keys(errors).length > 0;
  return (
    <>
      <button
        type="button"
        className="settings-fold"
        aria-expanded={shown}
        aria-controls={bodyId}
        onClick={() => setOpen((o) => !o)}
      >
        Options
      </button>
      <div id={bodyId} className="settings-fold-body" hidden={!shown}>
        <div className="field-row">
          {LIMITS.map((l) => (
            <Field key={l.key} label={l.label} error={errors[l.key]} hint={l.hint}>
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  value={values[l.key]}
                  onChange={(e) => onChange({ [l.key]: e.target.value })}
                />
              )}
            </Field>
          ))}
        </div>
        {FLAGS.map((f) => {
          const box =
            f.key === 'multifd'
              ? multifdBox(values)
              : f.key === 'postcopy'
                ? postcopyBox(values)
                : { checked: values[f.key], disabledReason: undefined };
          return (
            <CheckboxField
              key={f.key}
              label={f.label}
              hint={f.hint}
              checked={box.checked}
              disabledReason={box.disabledReason}
              onChange={(checked) => onChange({ [f.key]: checked })}
            />
          );
        })}
      </div>
    </>
  );
}
