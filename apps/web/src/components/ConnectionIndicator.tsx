import type { ConnectionStatus } from '../api/events.ts';
import './layout.css';

const TEXT: Record<ConnectionStatus['kind'], string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Offline',
};

const TITLE: Record<ConnectionStatus['kind'], string> = {
  connecting: 'Opening the events connection',
  open: 'Live updates from the server are on',
  reconnecting: 'The events connection dropped; lists may be out of date until it is back',
  stopped: 'No events connection',
};

/** A dot and a word: whether state changes arrive live from the events socket. */
export function ConnectionIndicator({ status }: { status: ConnectionStatus }) {
  return (
    <span className={`conn conn-${status.kind}`} role="status" title={TITLE[status.kind]}>
      <span className="conn-dot" aria-hidden="true" />
      <span>
        <span className="visually-hidden">Events: </span>
        {TEXT[status.kind]}
      </span>
    </span>
  );
}
