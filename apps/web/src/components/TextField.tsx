import type { ReactNode } from 'react';
import { Field } from './Field.tsx';

interface Props {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean | undefined;
}

/** A labelled one-line text input for a name or size the user types (no browser autofill). */
export function TextField({ label, value, onChange, error, hint, disabled }: Props) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          value={value}
          autoComplete="off"
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
