import type { SessionStatus } from './useConsoleSession.ts';

interface Props {
  /** "screen", "monitor", ...: what the banner is about. */
  what: string;
  status: SessionStatus;
  onReconnect: () => void;
}

/** The connection state of a console in words, with Reconnect when it is up to the user. */
export function SessionBanner({ what, status, onReconnect }: Props) {
  switch (status.kind) {
    case 'open':
      return null;
    case 'off':
      return (
        <div className="console-banner" role="status">
          {status.phase === 'starting'
            ? `The guest is starting; the ${what} connects when it runs.`
            : `Guest not running: start it to use the ${what}.`}
        </div>
      );
    case 'connecting':
      return (
        <div className="console-banner" role="status">
          Connecting to the {what}…
        </div>
      );
    case 'retrying':
      return (
        <div className="console-banner console-banner-warn" role="status">
          Disconnected ({status.reason}); reconnecting (attempt {status.attempt})…
        </div>
      );
    case 'closed':
      return (
        <div className="console-banner console-banner-warn" role="alert">
          <span>
            Disconnected — {status.reason}.{' '}
            {status.code === 4409 && /another window/.test(status.reason)
              ? 'Close it there, then try again.'
              : null}
          </span>
          <button type="button" className="btn" onClick={onReconnect}>
            Reconnect
          </button>
        </div>
      );
  }
}
