import { useId, useState, type ReactNode } from 'react';
import { DisabledReason, disabledReasonProps } from './DisabledReason.tsx';
import { useModalDialog } from './useModalDialog.ts';

interface Props {
  /** Text of the button that opens the dialog and of the dialog's confirm button. */
  label: string;
  /** Dialog heading, e.g. "Power off web1?". */
  title: string;
  children: ReactNode;
  onConfirm: () => void;
  disabled?: boolean;
  /** Why the button is disabled (its tooltip and description). */
  disabledReason?: string | undefined;
  busy?: boolean;
  danger?: boolean;
  className?: string;
}

/** A button that asks first, in a native modal <dialog> (focus trap, Escape closes). */
export function ConfirmButton({
  label,
  title,
  children,
  onConfirm,
  disabled,
  disabledReason,
  busy,
  danger,
  className,
}: Props) {
  const [open, setOpen] = useState(false);
  const dialog = useModalDialog(open);
  const titleId = useId();
  const reasonId = useId();

  const confirm = () => {
    setOpen(false);
    onConfirm();
  };

  return (
    <>
      <button
        type="button"
        className={className ?? (danger ? 'btn btn-danger' : 'btn')}
        disabled={disabled === true || busy === true}
        aria-busy={busy === true}
        {...disabledReasonProps(reasonId, disabled === true, disabledReason)}
        onClick={() => setOpen(true)}
      >
        {busy ? `${label}…` : label}
      </button>
      <DisabledReason id={reasonId} disabled={disabled === true} reason={disabledReason} />
      <dialog ref={dialog} className="confirm" aria-labelledby={titleId} onClose={() => setOpen(false)}>
        {open && (
          <form method="dialog" onSubmit={(e) => e.preventDefault()}>
            <h2 id={titleId}>{title}</h2>
            <div className="confirm-text">{children}</div>
            <div className="confirm-buttons">
              <button type="button" className="btn" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button
                type="button"
                className={danger ? 'btn btn-danger' : 'btn btn-primary'}
                onClick={confirm}
              >
                {label}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}
