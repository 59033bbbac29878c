import type { ReactNode } from 'react';
import { Field } from './Field.tsx';

interface Props {
  label: string;
  /** As typed: the form checks it with the rest of its values. */
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  min?: number | undefined;
  max?: number | undefined;
  placeholder?: string | undefined;
  disabled?: boolean | undefined;
}

/** A labelled whole-number input (a number keypad on touch devices). */
export function NumberField({ label, value, onChange, error, hint, min, max, placeholder, disabled }: Props) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={value}
          placeholder={placeholder}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
