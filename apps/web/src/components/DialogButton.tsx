import { useId, useState, type ReactNode } from 'react';
import { DisabledReason, disabledReasonProps } from './DisabledReason.tsx';
import { useModalDialog } from './useModalDialog.ts';

interface Props {
  /** Text of the button that opens the dialog. */
  label: string;
  /** Accessible name of that button when the label alone is ambiguous (one per table row). */
  ariaLabel?: string;
  title: string;
  disabled?: boolean;
  /** Why the button is disabled (shown as its description). */
  disabledReason?: string | undefined;
  danger?: boolean;
  /** The dialog body; `close` closes it. Rendered only while open, so every opening starts fresh. */
  children: (close: () => void, titleId: string) => ReactNode;
}

/** A button that opens a native modal `<dialog>`: focus moves in, Escape closes, focus returns. */
export function DialogButton({ label, ariaLabel, title, disabled, disabledReason, danger, children }: Props) {
  const [open, setOpen] = useState(false);
  const dialog = useModalDialog(open);
  const titleId = useId();
  const reasonId = useId();

  return (
    <>
      <button
        type="button"
        className={danger ? 'btn btn-danger' : 'btn'}
        disabled={disabled}
        aria-label={ariaLabel}
        {...disabledReasonProps(reasonId, disabled === true, disabledReason)}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      <DisabledReason id={reasonId} disabled={disabled === true} reason={disabledReason} />
      <dialog
        ref={dialog}
        className="confirm dialog-form"
        aria-labelledby={titleId}
        onClose={() => setOpen(false)}
      >
        {open && (
          <>
            <h2 id={titleId}>{title}</h2>
            {children(() => setOpen(false), titleId)}
          </>
        )}
      </dialog>
    </>
  );
}
