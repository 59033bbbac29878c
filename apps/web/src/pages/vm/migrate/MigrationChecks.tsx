import type { MigrationCheck } from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';

interface Props {
  checks: readonly MigrationCheck[] | undefined;
  checking: boolean;
  error: ApiError | null;
  /** What to say while there is nothing to check (no host picked, an option to correct). */
  idle: string;
}

/** The preconditions the server checked with the peer: ✓ or ✗ with the detail (nothing moves yet). */
export function MigrationChecks({ checks, checking, error, idle }: Props) {
  return (
    <section className="migrate-checks" aria-labelledby="migrate-checks-title" aria-busy={checking}>
      <h3 id="migrate-checks-title">Preconditions</h3>
      {checking && (
        <p className="muted" role="status">
          Checking with the peer…
        </p>
      )}
      {!checking && error && (
        <p className="form-error" role="alert">
          Could not check: {error.message}
        </p>
      )}
      {!checking && !error && checks === undefined && <p className="muted">{idle}</p>}
      {!checking && checks && (
        <ul className="plain" aria-label="Preconditions">
          {checks.map((c) => (
            <li key={c.name} className={c.ok ? 'check check-ok' : 'check check-problem'}>
              <span className="check-mark" aria-hidden="true">
                {c.ok ? '✓' : '✗'}
              </span>
              <span className="visually-hidden">{c.ok ? 'passed:' : 'problem:'}</span> {c.detail}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
