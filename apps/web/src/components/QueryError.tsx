import type { ApiError } from '../api/errors.ts';

/** Inline message for a page whose data could not be loaded. */
export function QueryError({
  what,
  error,
  onRetry,
}: {
  what: string;
  error: ApiError;
  onRetry?: () => void;
}) {
  return (
    <div className="panel panel-error" role="alert">
      <strong>Could not load {what}.</strong>
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
