import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '../api/events.ts';

/** Whole seconds until `at` (ms since the epoch), never below 0. */
const secondsUntil = (at: number): number => Math.max(0, Math.ceil((at - Date.now()) / 1000));

/**
 * A bar under the header while the events connection is down: the page stays as it was (lists may be out of
 * date), and everything reconnects by itself; "Retry now" skips the wait.
 */
export function ReconnectBanner({ status, retryNow }: { status: ConnectionStatus; retryNow: () => void }) {
  const [, setTick] = useState(0);
  const waiting = status.kind === 'reconnecting';
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [waiting]);
  if (status.kind !== 'reconnecting') return null;
  const wait = secondsUntil(status.retryAt);
  return (
    <div className="reconnect-banner" role="status">
      <span>
        <strong>Lost the connection to the server.</strong> Reconnecting… (attempt {status.attempt}
        {wait > 0 ? `, next in ${wait} s` : ''}). What this page shows may be out of date until then.
      </span>
      <button type="button" className="btn" onClick={retryNow}>
        Retry now
      </button>
    </div>
  );
}
