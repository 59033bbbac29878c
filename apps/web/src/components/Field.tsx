import { useId, type ReactElement, type ReactNode } from 'react';
import { FieldMessages, describedBy } from './FieldMessages.tsx';

export interface FieldControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

interface Props {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /** Renders the control with the ids that tie it to its label, hint and error. */
  children: (control: FieldControlProps) => ReactElement;
}

/** A labelled form control with an optional hint and a field-level error message. */
export function Field({ label, error, hint, children }: Props) {
  const id = useId();
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy(id, { hint, error }) })}
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}
