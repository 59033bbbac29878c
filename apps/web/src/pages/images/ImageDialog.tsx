import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

interface Props {
  /** Text of the button that opens the dialog. */
  label: string;
  /** Accessible name of that button when the label alone is ambiguous (one per table row). */
  ariaLabel?: string;
  title: string;
  disabled?: boolean;
  /** The dialog body; `close` closes it (e.g. after success). Rendered only while open. */
  children: (close: () => void, titleId: string) => ReactNode;
}

/** A button that opens a native modal `<dialog>` (focus moves in, Escape closes, focus returns). */
export function ImageDialog({ label, ariaLabel, title, disabled, children }: Props) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <>
      <button
        type="button"
        className="btn"
        disabled={disabled}
        aria-label={ariaLabel}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      <dialog ref={dialog} className="confirm" aria-labelledby={titleId} onClose={() => setOpen(false)}>
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
