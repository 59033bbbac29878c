import { useEffect, useRef } from 'react';

/**
 * A ref for a native `<dialog>` shown as a modal while `open` (focus moves in, Escape closes, focus returns)
 * and closed when `open` turns false.
 */
export function useModalDialog(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return dialog;
}
