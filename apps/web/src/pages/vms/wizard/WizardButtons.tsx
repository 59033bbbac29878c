import { Link } from 'react-router-dom';

interface Props {
  /** The id of the step's form: Next and Create submit it. */
  formId: string;
  /** Back is offered from the second step on. */
  onBack?: () => void;
  /** On the summary: Create, and Create and start. */
  summary: boolean;
  onCreateAndStart: () => void;
  creating: boolean;
  busy: boolean;
}

/** The wizard's button row: Back, Next (or Create and Create-and-start on the summary), Cancel. */
export function WizardButtons({ formId, onBack, summary, onCreateAndStart, creating, busy }: Props) {
  return (
    <div className="form-buttons wizard-buttons">
      {onBack && (
        <button type="button" className="btn" onClick={onBack} disabled={busy}>
          Back
        </button>
      )}
      {summary ? (
        <>
          <button
            type="submit"
            form={formId}
            className="btn btn-primary"
            disabled={busy}
            aria-busy={creating}
          >
            {creating ? 'Creating…' : 'Create'}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            aria-busy={busy}
            onClick={onCreateAndStart}
          >
            Create and start, open console
          </button>
        </>
      ) : (
        <button type="submit" form={formId} className="btn btn-primary">
          Next
        </button>
      )}
      {/* Leaving asks first while the form holds something (the leave guard). */}
      <Link className="btn" to="/vms">
        Cancel
      </Link>
    </div>
  );
}
