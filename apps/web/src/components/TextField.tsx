import type { ReactNode } from 'react';
import { Field } from './Field.tsx';

/** What a labelled input of one value takes (its value as typed). */
export interface ValueFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean | undefined;
}

interface Props extends ValueFieldProps {
  /** Off for file and image names, which are not words. */
  spellCheck?: boolean | undefined;
}

/** A labelled one-line text input for a name or size the user types (no browser autofill). */
export function TextField({ label, value, onChange, error, hint, disabled, spellCheck }: Props) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          value={value}
          autoComplete="off"
          spellCheck={spellCheck}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
