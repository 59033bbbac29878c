import { STEPS, type StepId } from './steps.ts';

interface Props {
  current: StepId;
  /** Index of the furthest step reached: the steps up to it can be revisited. */
  reached: number;
  /** Steps with a field error. */
  withErrors: ReadonlySet<StepId>;
  onSelect: (step: StepId) => void;
}

/** The wizard's steps as a numbered list: the current one marked, the ones reached so far can be opened. */
export function StepList({ current, reached, withErrors, onSelect }: Props) {
  return (
    <nav className="wizard-steps" aria-label="Steps of the new VM wizard">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              className="wizard-step"
              aria-current={s.id === current ? 'step' : undefined}
              disabled={i > reached}
              onClick={() => onSelect(s.id)}
            >
              <span className="wizard-step-number" aria-hidden="true">
                {i + 1}
              </span>
              {s.title}
              {withErrors.has(s.id) && <span className="wizard-step-error"> (needs a fix)</span>}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
