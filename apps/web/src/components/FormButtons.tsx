interface SubmitProps {
  /** Text of the submit button, which is also its accessible name. */
  label: string;
  /** Its text while the action runs (e.g. "Saving…"); the label stays when not given. */
  busyLabel?: string;
  /** The action runs: the button is disabled and `aria-busy`. */
  busy: boolean;
  /** Disabled for another reason than `busy` (e.g. the checks have not passed). */
  disabled?: boolean;
  danger?: boolean;
}

/** A form's primary submit button with its busy state: Enter in a field of the form presses it. */
export function SubmitButton({ label, busyLabel, busy, disabled, danger }: SubmitProps) {
  return (
    <button
      type="submit"
      className={danger ? 'btn btn-danger' : 'btn btn-primary'}
      disabled={busy || disabled === true}
      aria-busy={busy}
    >
      {busy && busyLabel !== undefined ? busyLabel : label}
    </button>
  );
}

interface DialogProps extends SubmitProps {
  /** Closes the dialog (Escape does the same through the native `<dialog>`). */
  onCancel: () => void;
  /** "Cancel" unless told otherwise (e.g. "Hide" while a long action goes on). */
  cancelLabel?: string;
}

/** The button row of a dialog's form: Cancel, then the submit button. */
export function DialogFormButtons({ onCancel, cancelLabel = 'Cancel', ...submit }: DialogProps) {
  return (
    <div className="confirm-buttons">
      <button type="button" className="btn" onClick={onCancel}>
        {cancelLabel}
      </button>
      <SubmitButton {...submit} />
    </div>
  );
}
