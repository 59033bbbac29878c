import { Fragment, type ReactNode } from 'react';
import { CommandLinePreview } from './CommandLinePreview.tsx';
import type { PathErrors } from './networkDraft.ts';
import { STEPS, stepOfKey, type StepId } from './steps.ts';
import { summaryRows } from './summaryRows.ts';
import type { WizardCheck } from './wizardRequest.ts';
import type { MediaKind } from './wizardValues.ts';

interface Props {
  check: WizardCheck;
  media: MediaKind;
  /** Shows the messages next to their fields and goes to the first step with one. */
  onShowErrors: (fields: PathErrors, step: StepId) => void;
}

const titleOf = (id: StepId) => STEPS.find((s) => s.id === id)?.title ?? id;

/** Step 7: everything chosen, the exact qemu command line, and what the server or the form objects to. */
export function SummaryStep({ check, media, onShowErrors }: Props) {
  const problems = (fields: PathErrors, form: string | null): ReactNode => {
    const entries = Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined);
    return (
      <div className="form-error wizard-problems" role="alert">
        <p>
          <strong>This VM cannot be created yet:</strong>
        </p>
        <ul>
          {entries.map(([key, message]) => {
            const step = stepOfKey(key, media);
            return (
              <li key={key}>
                {message}{' '}
                {step !== 'summary' && (
                  <button type="button" className="btn btn-quiet" onClick={() => onShowErrors(fields, step)}>
                    Fix it in “{titleOf(step)}”
                  </button>
                )}
              </li>
            );
          })}
          {form && <li>{form}</li>}
        </ul>
      </div>
    );
  };

  if (!check.ok) return problems(check.errors, null);
  return (
    <>
      <dl className="facts wizard-summary" aria-label="Summary">
        {summaryRows(check.request).map((row) => (
          <Fragment key={row.label}>
            <dt>{row.label}</dt>
            <dd>{row.value}</dd>
          </Fragment>
        ))}
      </dl>
      <CommandLinePreview request={check.request} problems={problems} />
    </>
  );
}
