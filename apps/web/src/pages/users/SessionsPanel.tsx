import { useQuery } from '@tanstack/react-query';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { sessionsQuery, useEndSession } from '../../queries/users.ts';
import { formatWhen } from '../peers/peerWords.ts';

const COLUMNS = ['User', 'Since', 'Until', 'From', 'Browser'] as const;

/** Login sessions: one's own (an admin sees everyone's); ending one closes its consoles and events. */
export function SessionsPanel({ everyone }: { everyone: boolean }) {
  const sessions = useQuery(sessionsQuery());
  const end = useEndSession();
  const notify = useNotify();
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{everyone ? 'Sessions' : 'Your sessions'}</h2>
      {sessions.isPending && <Loading what="the sessions" />}
      {sessions.isError && (
        <QueryError what="the sessions" error={sessions.error} onRetry={() => void sessions.refetch()} />
      )}
      {sessions.data && (
        <DataTable label="Sessions" columns={COLUMNS} actions>
          {sessions.data.map((s) => (
            <tr key={s.id}>
              <td>
                {s.user}
                {s.current && <span className="muted"> (this one)</span>}
              </td>
              <td>{formatWhen(s.createdAt)}</td>
              <td>{formatWhen(s.expiresAt)}</td>
              <td>{s.address ?? ''}</td>
              <td className="session-agent">{s.userAgent ?? ''}</td>
              <td>
                {!s.current && (
                  <ConfirmButton
                    label="End"
                    title={`End this session of ${s.user}?`}
                    danger
                    busy={end.isPending}
                    onConfirm={() =>
                      end.mutate(s.id, { onError: (err) => notify.error('Could not end the session', err) })
                    }
                  >
                    That browser is logged out at once; its consoles close.
                  </ConfirmButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
