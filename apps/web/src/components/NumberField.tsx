import { Field } from './Field.tsx';
import type { ValueFieldProps } from './TextField.tsx';

/** The value is as typed: the form checks it with the rest of its values. */
interface Props extends ValueFieldProps {
  min?: number | undefined;
  max?: number | undefined;
  placeholder?: string | undefined;
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
