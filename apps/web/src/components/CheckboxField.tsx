import { useId, type ReactNode } from 'react';
import { FieldMessages, describedBy } from './FieldMessages.tsx';

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
          aria-describedby={describedBy(id, { hint, why: disabledReason, error })}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldMessages id={id} hint={hint} why={disabledReason} error={error} />
    </div>
  );
}
