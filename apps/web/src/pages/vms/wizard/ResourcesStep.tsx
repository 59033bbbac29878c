import { useId, useState } from 'react';
import { MAX_VCPUS, MIN_MEMORY_MIB, formatBytes } from '@virtweb/protocol';
import { NumberField } from '../../../components/NumberField.tsx';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import type { StepProps } from './stepProps.ts';

const MIB = 2 ** 20;

type TopologyKey = 'sockets' | 'cores' | 'threads';
const TOPOLOGY: readonly { key: TopologyKey; label: string }[] = [
  { key: 'sockets', label: 'Sockets' },
  { key: 'cores', label: 'Cores per socket' },
  { key: 'threads', label: 'Threads per core' },
];

/** Step 3: memory and vCPUs within the host's limits; the CPU topology under "Advanced"; the balloon. */
export function ResourcesStep({ values, set, errors, host }: StepProps) {
  const hostMiB = Math.floor(host.memoryBytes / MIB);
  const [open, setOpen] = useState(false);
  const topologyError = errors.topology;
  const errorId = useId();
  return (
    <>
      <div className="field-row">
        <NumberField
          label="Memory (MiB)"
          error={errors.memoryMiB}
          hint={`${MIN_MEMORY_MIB} to ${hostMiB} MiB: this host has ${formatBytes(host.memoryBytes)}`}
          min={MIN_MEMORY_MIB}
          max={hostMiB}
          value={values.memoryMiB}
          onChange={(v) => set('memoryMiB', v)}
        />
        <NumberField
          label="vCPUs"
          error={errors.vcpus}
          hint={`1 to ${Math.min(host.cpus, MAX_VCPUS)}: this host has ${host.cpus} CPUs`}
          min={1}
          max={Math.min(host.cpus, MAX_VCPUS)}
          value={values.vcpus}
          onChange={(v) => set('vcpus', v)}
        />
      </div>
      <details
        className="wizard-advanced"
        open={open || topologyError !== undefined}
        onToggle={(e) => setOpen(e.currentTarget.open)}
      >
        <summary>Advanced: CPU topology</summary>
        <p className="field-hint">
          Sockets × cores × threads must equal the vCPUs. Empty: one socket with one core per vCPU. Some
          guests (and licenses) count sockets.
        </p>
        <div className={topologyError ? 'field-row field-invalid' : 'field-row'}>
          {TOPOLOGY.map(({ key, label }) => (
            <div className="field" key={key}>
              <label htmlFor={`${errorId}-${key}`}>{label}</label>
              <input
                id={`${errorId}-${key}`}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="1"
                value={values[key]}
                aria-invalid={topologyError !== undefined}
                aria-describedby={topologyError ? errorId : undefined}
                onChange={(e) => set(key, e.target.value)}
              />
            </div>
          ))}
        </div>
        {topologyError && (
          <p id={errorId} className="field-error">
            {topologyError}
          </p>
        )}
      </details>
      <CheckboxField
        label="Memory balloon"
        checked={values.balloon}
        onChange={(on) => set('balloon', on)}
        hint="a virtio balloon device: lets the host take memory back from a running guest (needs the guest's driver)"
        error={errors.balloon}
      />
    </>
  );
}
