import { useId, useRef } from 'react';
import { flushSync } from 'react-dom';
import { Field } from '../../../components/Field.tsx';
import { NumberField } from '../../../components/NumberField.tsx';
import { newPortForward, type PathErrors, type PortForwardDraft } from './networkDraft.ts';

interface Choice<T extends string> {
  value: T;
  label: string;
}
/** At least one choice: the first is the fallback. */
type Choices<T extends string> = readonly [Choice<T>, ...Choice<T>[]];

const PROTOCOLS: Choices<PortForwardDraft['protocol']> = [
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
];

const HOST_ADDRESSES: Choices<PortForwardDraft['hostAddress']> = [
  { value: '127.0.0.1', label: '127.0.0.1 (this host only)' },
  { value: '0.0.0.0', label: '0.0.0.0 (all interfaces: other machines too)' },
];

interface Props {
  forwards: readonly PortForwardDraft[];
  /** `changed`: the error key to clear (a row's field, or the list's path when rows come or go). */
  onChange: (next: PortForwardDraft[], changed: string) => void;
  /** Keyed by request path: `<path>.0.hostPort`, and `<path>` for the list. */
  errors: PathErrors;
  path?: string;
}

/**
 * User-mode NAT port forwards, one fieldset per row (protocol, host address, host port, guest port) with add
 * and remove; the focus follows: into a new row, to the next row (or Add) after a removal.
 */
export function PortForwardsEditor({ forwards, onChange, errors, path = 'nics.0.portForwards' }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const add = useRef<HTMLButtonElement>(null);
  const titleId = useId();

  const focusRow = (i: number) => {
    const row = box.current?.querySelector<HTMLElement>(`[data-row="${i}"] select`);
    (row ?? add.current)?.focus();
  };
  const update = (i: number, patch: Partial<PortForwardDraft>, field: keyof PortForwardDraft) =>
    onChange(
      forwards.map((f, j) => (j === i ? { ...f, ...patch } : f)),
      `${path}.${i}.${field}`,
    );
  const addRow = () => {
    flushSync(() => onChange([...forwards, newPortForward()], path));
    focusRow(forwards.length);
  };
  const removeRow = (i: number) => {
    flushSync(() =>
      onChange(
        forwards.filter((_f, j) => j !== i),
        path,
      ),
    );
    focusRow(i);
  };

  return (
    <div className="port-forwards" ref={box} role="group" aria-labelledby={titleId}>
      <h3 id={titleId}>Port forwards</h3>
      <p className="field-hint">
        Connections to a host port reach a guest port, e.g. host 2222 → guest 22 for ssh. Without any, nothing
        outside can reach the guest.
      </p>
      {forwards.map((f, i) => {
        const at = (field: string) => errors[`${path}.${i}.${field}`];
        return (
          <fieldset className="port-forward" key={i} data-row={i}>
            <legend>Port forward {i + 1}</legend>
            <ChoiceField
              label="Protocol"
              error={at('protocol')}
              value={f.protocol}
              options={PROTOCOLS}
              onChange={(protocol) => update(i, { protocol }, 'protocol')}
            />
            <ChoiceField
              label="Host address"
              error={at('hostAddress')}
              value={f.hostAddress}
              options={HOST_ADDRESSES}
              onChange={(hostAddress) => update(i, { hostAddress }, 'hostAddress')}
            />
            <NumberField
              label="Host port"
              min={1}
              max={65535}
              error={at('hostPort')}
              value={f.hostPort}
              onChange={(hostPort) => update(i, { hostPort }, 'hostPort')}
            />
            <NumberField
              label="Guest port"
              min={1}
              max={65535}
              error={at('guestPort')}
              value={f.guestPort}
              onChange={(guestPort) => update(i, { guestPort }, 'guestPort')}
            />
            <button
              type="button"
              className="btn btn-quiet"
              aria-label={`Remove port forward ${i + 1}`}
              onClick={() => removeRow(i)}
            >
              Remove
            </button>
          </fieldset>
        );
      })}
      {errors[path] && <p className="field-error">{errors[path]}</p>}
      <button type="button" className="btn" ref={add} onClick={addRow}>
        Add port forward
      </button>
    </div>
  );
}

interface FieldProps<T> {
  label: string;
  error: string | undefined;
  value: T;
  onChange: (value: T) => void;
}

/** A select of fixed choices; a value outside them (never offered) falls back to the first. */
function ChoiceField<T extends string>({
  label,
  error,
  value,
  onChange,
  options,
}: FieldProps<T> & { options: Choices<T> }) {
  const pick = (text: string): T => (options.find((o) => o.value === text) ?? options[0]).value;
  return (
    <Field label={label} error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(pick(e.target.value))}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
