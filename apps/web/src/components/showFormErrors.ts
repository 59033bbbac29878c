import type { RefObject } from 'react';
import { flushSync } from 'react-dom';

/**
 * Renders the messages `show` sets at once, then moves the focus to the first field marked invalid or the
 * form's own message, whichever comes first in the form.
 */
export function showFormErrors(form: RefObject<HTMLFormElement | null>, show: () => void): void {
  flushSync(show);
  form.current?.querySelector<HTMLElement>('[aria-invalid="true"], .form-error')?.focus();
}
