import { useId, type ReactNode } from 'react';

interface Props {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  /** Why the box cannot be ticked here: shown under the hint, and the box is disabled. */
  disabledReason?: string | undefined;
  error?: string | undefined;
}

/** A checkbox with its label beside it, a hint, a reason when disabled and a field error. */
export function CheckboxField({ label, checked, onChange, hint, disabledReason, error }: Props) {
  const id = useId();
  const ids = [
    hint ? `${id}-hint` : null,
    disabledReason ? `${id}-why` : null,
    error ? `${id}-error` : null,
  ].filter(Boolean);
  return (
    <div className={error ? 'field checkbox-field field-invalid' : 'field checkbox-field'}>
      <div className="checkbox">
        <input
          type="checkbox"
          id={id}
          checked={checked}
          disabled={disabledReason !== undefined}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={Boolean(error)}
          aria-describedby={ids.join(' ') || undefined}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {disabledReason && (
        <p id={`${id}-why`} className="field-hint">
          {disabledReason}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
