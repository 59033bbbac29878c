import { useId, useState } from 'react';
import {
  MAX_VCPUS,
  MIN_MEMORY_MIB,
  OS_PRESETS,
  OsTypeSchema,
  formatBytes,
  type HostInfo,
} from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { NumberField } from '../../../components/NumberField.tsx';
import { TextField } from '../../../components/TextField.tsx';
import type { SectionProps } from './settingsValues.ts';

const TOPOLOGY_LABEL = {
  sockets: 'Sockets',
  cores: 'Cores per socket',
  threads: 'Threads per core',
} as const;

/** Name, OS type, memory and vCPUs, with the CPU topology under an "advanced" fold. */
export function GeneralFields({ values, errors, set, host }: SectionProps & { host: HostInfo | undefined }) {
  const [advanced, setAdvanced] = useState(values.customTopology);
  const foldId = useId();
  const memoryHint = host
    ? `at least ${MIN_MEMORY_MIB} MiB; the host has ${formatBytes(host.memoryBytes)}`
    : `at least ${MIN_MEMORY_MIB} MiB`;
  const cpuHint = host ? `1 to ${MAX_VCPUS}; the host has ${host.cpus} CPUs` : `1 to ${MAX_VCPUS}`;
  return (
    <fieldset className="settings-section">
      <legend>General</legend>
      <div className="field-row">
        <TextField
          label="Name"
          error={errors.name}
          value={values.name}
          onChange={(name) => set('name', name)}
        />
        <Field
          label="OS type"
          error={errors.os}
          hint="Kept for reference; devices are chosen below (presets apply when creating a VM)."
        >
          {(p) => (
            <select {...p} value={values.os} onChange={(e) => set('os', OsTypeSchema.parse(e.target.value))}>
              {OsTypeSchema.options.map((os) => (
                <option key={os} value={os}>
                  {OS_PRESETS[os].label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="field-row">
        <NumberField
          label="Memory (MiB)"
          error={errors.memoryMiB}
          hint={memoryHint}
          min={MIN_MEMORY_MIB}
          value={values.memoryMiB}
          onChange={(v) => set('memoryMiB', v)}
        />
        <NumberField
          label="vCPUs"
          error={errors.vcpus}
          hint={cpuHint}
          min={1}
          max={MAX_VCPUS}
          value={values.vcpus}
          onChange={(v) => set('vcpus', v)}
        />
      </div>
      <button
        type="button"
        className="settings-fold"
        aria-expanded={advanced}
        aria-controls={foldId}
        onClick={() => setAdvanced((a) => !a)}
      >
        Advanced: CPU topology
      </button>
      {errors.topology && !advanced && <p className="field-error">{errors.topology}</p>}
      <div id={foldId} hidden={!advanced} className="settings-fold-body">
        <CheckboxField
          label="Set sockets, cores and threads"
          checked={values.customTopology}
          onChange={(on) => set('customTopology', on)}
          hint={`Off: one socket with ${values.vcpus || 'N'} cores. Some guests (and licences) care about the split.`}
          error={errors.topology}
        />
        {values.customTopology && (
          <div className="field-row">
            {(['sockets', 'cores', 'threads'] as const).map((k) => (
              <NumberField
                key={k}
                label={TOPOLOGY_LABEL[k]}
                error={errors[`topology.${k}`]}
                min={1}
                value={values[k]}
                onChange={(v) => set(k, v)}
              />
            ))}
          </div>
        )}
      </div>
    </fieldset>
  );
}
