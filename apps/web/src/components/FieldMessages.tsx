import type { ReactNode } from 'react';

interface Messages {
  hint?: ReactNode;
  /** Why the control cannot be used here (shown between the hint and the error). */
  why?: ReactNode;
  error?: string | undefined;
}

/** The ids of the messages shown for the control `id`, for its `aria-describedby`. */
export function describedBy(id: string, { hint, why, error }: Messages): string | undefined {
  const ids = [hint ? `${id}-hint` : null, why ? `${id}-why` : null, error ? `${id}-error` : null];
  return ids.filter(Boolean).join(' ') || undefined;
}

/** The hint, the reason and the error under a control, each with the id `describedBy` names. */
export function FieldMessages({ id, hint, why, error }: Messages & { id: string }) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {why && (
        <p id={`${id}-why`} className="field-hint">
          {why}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </>
  );
}
