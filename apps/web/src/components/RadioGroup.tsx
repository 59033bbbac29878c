import { useId, type ReactNode } from 'react';
import { FieldMessages, describedBy } from './FieldMessages.tsx';

export interface RadioOption<V extends string> {
  value: V;
  label: string;
  hint?: ReactNode;
  /** Why this option cannot be chosen here: shown instead of the hint, and the radio is disabled. */
  disabledReason?: string | undefined;
}

interface Props<V extends string> {
  legend: string;
  value: V;
  options: readonly RadioOption<V>[];
  onChange: (value: V) => void;
  error?: string | undefined;
  hint?: ReactNode;
}

/**
 * A radio group (fieldset + legend) with a hint per option and a group error. Native radios: Tab enters at
 * the checked one, the arrow keys move and select. The error is tied to the group and to every radio.
 */
export function RadioGroup<V extends string>({ legend, value, options, onChange, error, hint }: Props<V>) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset
      className={error ? 'field radio-group field-invalid' : 'field radio-group'}
      role="radiogroup"
      aria-invalid={Boolean(error)}
      aria-describedby={describedBy(id, { hint, error })}
    >
      <legend>{legend}</legend>
      {options.map((o) => {
        const optionId = `${id}-${o.value}`;
        const note = o.disabledReason ?? o.hint;
        const describedBy = [note ? `${optionId}-hint` : null, error ? errorId : null]
          .filter(Boolean)
          .join(' ');
        return (
          <div className="radio" key={o.value}>
            <input
              type="radio"
              id={optionId}
              name={id}
              value={o.value}
              checked={value === o.value}
              disabled={o.disabledReason !== undefined}
              onChange={() => onChange(o.value)}
              aria-describedby={describedBy || undefined}
            />
            <label htmlFor={optionId}>{o.label}</label>
            {note && (
              <p id={`${optionId}-hint`} className="field-hint">
                {note}
              </p>
            )}
          </div>
        );
      })}
      <FieldMessages id={id} hint={hint} error={error} />
    </fieldset>
  );
}
