import { useId, useRef } from 'react';
import { flushSync } from 'react-dom';
import { Field } from '../../../components/Field.tsx';
import { newPortForward, type PathErrors, type PortForwardDraft } from './networkDraft.ts';

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
export function PortForwardsEditor({ forwards, onChange, errors, path = 'network.portForwards' }: Props) {
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
            <Field label="Protocol" error={at('protocol')}>
              {(p) => (
                <select
                  {...p}
                  value={f.protocol}
                  onChange={(e) =>
                    update(i, { protocol: e.target.value === 'udp' ? 'udp' : 'tcp' }, 'protocol')
                  }
                >
                  <option value="tcp">TCP</option>
                  <option value="udp">UDP</option>
                </select>
              )}
            </Field>
            <Field label="Host address" error={at('hostAddress')}>
              {(p) => (
                <select
                  {...p}
                  value={f.hostAddress}
                  onChange={(e) =>
                    update(
                      i,
                      { hostAddress: e.target.value === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1' },
                      'hostAddress',
                    )
                  }
                >
                  <option value="127.0.0.1">127.0.0.1 (this host only)</option>
                  <option value="0.0.0.0">0.0.0.0 (all interfaces: other machines too)</option>
                </select>
              )}
            </Field>
            <Field label="Host port" error={at('hostPort')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={65535}
                  value={f.hostPort}
                  onChange={(e) => update(i, { hostPort: e.target.value }, 'hostPort')}
                />
              )}
            </Field>
            <Field label="Guest port" error={at('guestPort')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={65535}
                  value={f.guestPort}
                  onChange={(e) => update(i, { guestPort: e.target.value }, 'guestPort')}
                />
              )}
            </Field>
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
