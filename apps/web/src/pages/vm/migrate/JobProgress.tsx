import type { MigrationJob } from '@virtweb/protocol';
import { useNotify } from '../../../components/notify/context.ts';
import { useCancelMigration } from '../../../queries/migrations.ts';
import { jobTitle, percentOf, phaseText, progressFacts } from './jobText.ts';

/** A running migration, save or restore: phase, bar, qemu's numbers, and Cancel (the source keeps running). */
export function JobProgress({ job }: { job: MigrationJob }) {
  const cancel = useCancelMigration();
  const notify = useNotify();
  const title = jobTitle(job);
  const p = job.progress;
  const pct = p === undefined ? undefined : percentOf(p);
  return (
    <section className="panel job-progress" aria-label={title}>
      <h2 className="job-title">{title}</h2>
      <p className="job-phase">
        Phase: <strong>{phaseText(job.kind, job.phase)}</strong>
      </p>
      <div className="progress">
        {/* Without numbers yet the bar is indeterminate (no value). */}
        <progress
          aria-label={`${title}: progress`}
          max={100}
          {...(pct === undefined ? {} : { value: pct, 'aria-valuetext': `${pct}%` })}
        />
        <output>{pct === undefined ? 'starting…' : `${pct}%`}</output>
      </div>
      {p && (
        <dl className="job-facts">
          {progressFacts(job.kind, p).map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      <div className="actions">
        <button
          type="button"
          className="btn"
          disabled={cancel.isPending}
          aria-busy={cancel.isPending}
          onClick={() =>
            cancel.mutate(job.id, {
              onError: (err) => notify.error(`Could not cancel: ${title}`, err),
            })
          }
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </section>
  );
}
