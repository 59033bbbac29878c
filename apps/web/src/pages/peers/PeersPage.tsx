import { useQuery } from '@tanstack/react-query';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { peersQuery, useRemovePeer } from '../../queries/peers.ts';
import { useRoleGate } from '../../queries/role.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { AddPeerForm } from './AddPeerForm.tsx';
import { healthText, memoryText } from './peerWords.ts';
import { TokensPanel } from './TokensPanel.tsx';
import './peers.css';

const COLUMNS = ['Host', 'URL', 'Health', 'CPUs', 'Memory', 'Guests', 'qemu'] as const;

/** Other virtweb servers (health and capacity, live) and the tokens that let others reach this one. */
export function PeersPage() {
  useDocumentTitle('Peers');
  const peers = useQuery(peersQuery());
  const remove = useRemovePeer();
  const notify = useNotify();
  const admin = useRoleGate('admin');

  return (
    <section aria-labelledby="peers-title">
      <div className="page-head">
        <h1 id="peers-title">Peers</h1>
      </div>
      {peers.isPending && <Loading what="the peers" />}
      {peers.isError && (
        <QueryError what="the peers" error={peers.error} onRetry={() => void peers.refetch()} />
      )}
      {peers.data?.length === 0 && (
        <div className="empty">
          <h2>No peers yet</h2>
          <p>Add another virtweb server to see its guests here and move guests between hosts.</p>
        </div>
      )}
      {peers.data && peers.data.length > 0 && (
        <DataTable label="Peers" columns={COLUMNS} actions>
          {peers.data.map((p) => (
            <tr key={p.id} data-testid={`peer-${p.name}`}>
              <th scope="row">{p.name}</th>
              <td>
                <code>{p.url}</code>
              </td>
              <td>
                <span className={`badge peer-health-${p.health.status}`}>{healthText(p.health)}</span>
                {p.health.message && <p className="muted small">{p.health.message}</p>}
              </td>
              <td>{p.capacity?.cpus ?? '–'}</td>
              <td>{p.capacity ? memoryText(p.capacity.guestMemoryBytes, p.capacity.memoryBytes) : '–'}</td>
              <td>{p.capacity ? `${p.capacity.runningGuests} running of ${p.capacity.guests}` : '–'}</td>
              <td>{p.capacity?.qemuVersion ?? '–'}</td>
              <td>
                <ConfirmButton
                  label="Remove"
                  title={`Remove peer ${p.name}?`}
                  danger
                  disabled={!admin.allowed}
                  disabledReason={admin.reason}
                  busy={remove.isPending}
                  onConfirm={() =>
                    remove.mutate(p.id, {
                      onError: (err) => notify.error('Could not remove the peer', err),
                    })
                  }
                >
                  Its guests keep running there; they are no longer listed here.
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {admin.allowed ? (
        <div className="columns">
          <AddPeerForm />
          <TokensPanel />
        </div>
      ) : (
        <p className="muted">Adding peers and making API tokens needs the admin role.</p>
      )}
    </section>
  );
}
