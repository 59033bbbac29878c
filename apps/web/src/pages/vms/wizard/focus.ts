// Keyboard focus for the wizard: the first field of a step, or the first field with an error.

const FIELD =
  'input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled), summary';

/** Focuses a control; for a radio button the checked one of its group (where the arrow keys start). */
function focusControl(root: HTMLElement, el: HTMLElement): void {
  if (el instanceof HTMLInputElement && el.type === 'radio' && !el.checked) {
    const checked = root.querySelector<HTMLInputElement>(
      `input[type="radio"][name="${CSS.escape(el.name)}"]:checked:not(:disabled)`,
    );
    (checked ?? el).focus();
    return;
  }
  el.focus();
}

/**
 * Focuses the first control of the step's form, its text selected (typing replaces a suggestion); a step
 * without one (the summary): its heading.
 */
export function focusFirstField(root: HTMLElement | null): void {
  if (!root) return;
  const el = root.querySelector<HTMLElement>(`form ${FIELD.split(', ').join(', form ')}`);
  if (!el) {
    root.querySelector<HTMLElement>('h2[tabindex="-1"]')?.focus();
    return;
  }
  focusControl(root, el);
  if (el instanceof HTMLInputElement && el.type === 'text') el.select();
}

/**
 * Focuses the first field marked invalid (a radio group: its checked radio), opening a closed `<details>` it
 * is in; else the form's error message. Answers whether something was focused.
 */
export function focusFirstInvalid(root: HTMLElement | null): boolean {
  if (!root) return false;
  const invalid = root.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!invalid) {
    const message = root.querySelector<HTMLElement>('.form-error[tabindex="-1"]');
    message?.focus();
    return message !== null;
  }
  const details = invalid.closest('details');
  if (details && !details.open) details.open = true;
  const control =
    invalid instanceof HTMLFieldSetElement ? invalid.querySelector<HTMLElement>(FIELD) : invalid;
  if (!control) return false;
  focusControl(root, control);
  return true;
}
