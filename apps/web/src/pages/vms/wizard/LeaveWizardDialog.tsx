import { useId } from 'react';
import type { Blocker } from 'react-router-dom';
import { useModalDialog } from '../../../components/useModalDialog.ts';

interface Props {
  blocker: Blocker;
  /** Forgets the draft (the caller's storage). */
  onDiscard: () => void;
}

/** "Leave the wizard?" while a navigation away is held: stay, leave with the draft kept, or discard it. */
export function LeaveWizardDialog({ blocker, onDiscard }: Props) {
  const open = blocker.state === 'blocked';
  const dialog = useModalDialog(open);
  const titleId = useId();
  const stay = () => {
    if (blocker.state === 'blocked') blocker.reset();
  };
  const leave = (discard: boolean) => {
    if (blocker.state !== 'blocked') return;
    if (discard) onDiscard();
    blocker.proceed();
  };
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby={titleId} onClose={stay}>
      {open && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2 id={titleId}>Leave the new VM wizard?</h2>
          <div className="confirm-text">
            <p>
              The VM is not created yet. What you entered stays as a draft in this tab unless you discard it.
            </p>
          </div>
          <div className="confirm-buttons">
            <button type="button" className="btn btn-primary" onClick={stay} autoFocus>
              Stay
            </button>
            <button type="button" className="btn" onClick={() => leave(false)}>
              Leave, keep the draft
            </button>
            <button type="button" className="btn btn-danger" onClick={() => leave(true)}>
              Discard the draft
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
