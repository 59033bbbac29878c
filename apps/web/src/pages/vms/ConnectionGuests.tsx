import { useQuery } from '@tanstack/react-query';
import type { Connection } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { DataTable } from '../../components/DataTable.tsx';
import { connectionsQuery } from '../../queries/connections.ts';

const COLUMNS = ['Name', 'State', 'Why read-only'] as const;

/**
 * The guests of each libvirt connection that virtweb did not define (virt-manager's, virt-install's), below
 * this host's own list: shown with what libvirt tells, read-only, saying why. virtweb's own guests on a
 * connection are in the list above.
 */
export function ConnectionGuests() {
  const connections = useQuery(connectionsQuery());
  return (
    <>
      {(connections.data ?? [])
        .filter((c) => c.guests.some((g) => g.vmId === undefined))
        .map((c) => (
          <ConnectionGroup key={c.id} connection={c} />
        ))}
    </>
  );
}

function ConnectionGroup({ connection: c }: { connection: Connection }) {
  const titleId = `libvirt-guests-${c.id}`;
  return (
    <section className="host-group" aria-labelledby={titleId}>
      <h2 id={titleId}>
        Other guests of <code>{c.uri}</code>{' '}
        <Link className="muted small" to="/connections">
          Connections
        </Link>
      </h2>
      <DataTable label={`Other guests of ${c.uri}`} columns={COLUMNS}>
        {c.guests
          .filter((g) => g.vmId === undefined)
          .map((g) => (
            <tr key={g.uuid} data-testid={`libvirt-guest-${g.name}`}>
              <th scope="row">{g.name}</th>
              <td>{g.state}</td>
              <td>{g.readOnly}</td>
            </tr>
          ))}
      </DataTable>
    </section>
  );
}
