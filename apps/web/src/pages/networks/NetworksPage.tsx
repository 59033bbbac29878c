import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { DataTable } from '../../components/DataTable.tsx';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { networksQuery } from '../../queries/networks.ts';
import { useRoleGate } from '../../queries/role.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { CreateNetworkForm } from './CreateNetworkForm.tsx';
import { KIND_WORDS, stateText } from './networkWords.ts';
import './networks.css';

const COLUMNS = ['Name', 'State', 'Kind', 'Bridge', 'Subnet', 'Leases', 'Guests'] as const;

/** Managed networks: NAT and isolated bridges virtweb runs (DHCP, DNS, forwarding) and host bridges. */
export function NetworksPage() {
  useDocumentTitle('Networks');
  const networks = useQuery(networksQuery());
  const admin = useRoleGate('admin');
  const data = networks.data;

  return (
    <section aria-labelledby="networks-title">
      <div className="page-head">
        <h1 id="networks-title">Networks</h1>
      </div>
      {networks.isPending && <Loading what="the networks" />}
      {networks.isError && (
        <QueryError what="the networks" error={networks.error} onRetry={() => void networks.refetch()} />
      )}
      {data && !data.canManage && (
        <p className="network-reason" role="status">
          {data.reason}
        </p>
      )}
      {data?.networks.length === 0 && (
        <div className="empty">
          <h2>No networks yet</h2>
          <p>
            Create a NAT network for guests that reach each other and the outside, an isolated one for guests
            that only reach each other, or refer to a bridge of the host.
          </p>
        </div>
      )}
      {data && data.networks.length > 0 && (
        <DataTable label="Networks" columns={COLUMNS}>
          {data.networks.map((n) => (
            <tr key={n.name} data-testid={`network-${n.name}`}>
              <th scope="row">
                <Link to={`/networks/${encodeURIComponent(n.name)}`}>{n.name}</Link>
              </th>
              <td>
                <span className={`badge network-${n.state}`}>{stateText(n)}</span>
              </td>
              <td>{KIND_WORDS[n.kind]}</td>
              <td>
                <code>{n.bridge}</code>
              </td>
              <td>{n.subnet ? <code>{n.subnet}</code> : '–'}</td>
              <td>{n.kind === 'bridge' ? '–' : n.leaseCount}</td>
              <td>{n.guests.length > 0 ? n.guests.join(', ') : 'none'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {admin.allowed ? (
        <div className="columns">
          <CreateNetworkForm />
        </div>
      ) : (
        <p className="muted">Creating networks needs the admin role.</p>
      )}
    </section>
  );
}
