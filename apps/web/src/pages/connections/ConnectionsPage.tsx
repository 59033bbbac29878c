import { useQuery } from '@tanstack/react-query';
import type { Connection } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { connectionsQuery, useRemoveConnection } from '../../queries/connections.ts';
import { useRoleGate } from '../../queries/role.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { AddConnectionForm } from './AddConnectionForm.tsx';
import { healthText } from './connectionWords.ts';
import './connections.css';

const COLUMNS = ['Domain', 'State', 'Managed by'] as const;

/** libvirt connections: each host with its health and all its guests, virtweb's and those defined by others. */
export function ConnectionsPage() {
  useDocumentTitle('Connections');
  const connections = useQuery(connectionsQuery());
  const admin = useRoleGate('admin');

  return (
    <section aria-labelledby="connections-title">
      <div className="page-head">
        <h1 id="connections-title">Connections</h1>
      </div>
      {connections.isPending && <Loading what="the connections" />}
      {connections.isError && (
        <QueryError
          what="the connections"
          error={connections.error}
          onRetry={() => void connections.refetch()}
        />
      )}
      {connections.data?.length === 0 && (
        <div className="empty">
          <h2>No libvirt connections</h2>
          <p>
            Add this host&apos;s libvirt (<code>qemu:///system</code>) to see and drive its guests beside
            virtweb&apos;s own; a new guest can then be defined there from the wizard.
          </p>
        </div>
      )}
      {connections.data?.map((c) => (
        <ConnectionGroup key={c.id} connection={c} admin={admin} />
      ))}
      {admin.allowed ? (
        <div className="columns">
          <AddConnectionForm />
        </div>
      ) : (
        <p className="muted">Adding connections needs the admin role.</p>
      )}
    </section>
  );
}

function ConnectionGroup({
  connection: c,
  admin,
}: {
  connection: Connection;
  admin: { allowed: boolean; reason: string | undefined };
}) {
  const remove = useRemoveConnection();
  const notify = useNotify();
  const titleId = `connection-${c.id}`;
  return (
    <section className="connection-group" aria-labelledby={titleId} data-testid={`connection-${c.uri}`}>
      <div className="connection-head">
        <h2 id={titleId}>
          <code>{c.uri}</code>
        </h2>
        <span className={`badge connection-${c.health.state}`}>{healthText(c.health)}</span>
        <ConfirmButton
          label="Remove"
          title={`Remove the connection ${c.uri}?`}
          danger
          disabled={!admin.allowed}
          disabledReason={admin.reason}
          busy={remove.isPending}
          onConfirm={() =>
            remove.mutate(c.id, { onError: (err) => notify.error(`Could not remove ${c.uri}`, err) })
          }
        >
          <p>virtweb stops showing its guests; libvirt and its guests are not touched.</p>
        </ConfirmButton>
      </div>
      {c.health.state === 'ok' && c.guests.length === 0 && <p className="muted">No guests on this host.</p>}
      {c.guests.length > 0 && (
        <DataTable label={`Guests on ${c.uri}`} columns={COLUMNS}>
          {c.guests.map((g) => (
            <tr key={g.uuid} data-testid={`domain-${g.name}`}>
              <th scope="row">{g.vmId ? <Link to={`/vms/${g.vmId}`}>{g.name}</Link> : g.name}</th>
              <td>{g.state}</td>
              <td>{g.vmId ? 'virtweb' : <span title={g.readOnly}>others (read-only): {g.readOnly}</span>}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
