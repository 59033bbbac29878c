import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { NetworkDetail } from '@virtweb/protocol';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { networkQuery, useDeleteNetwork, useStartNetwork, useStopNetwork } from '../../queries/networks.ts';
import { useRoleGate } from '../../queries/role.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { KIND_WORDS, stateText } from './networkWords.ts';
import { PortForwardsPanel } from './PortForwardsPanel.tsx';
import './networks.css';

const LEASE_COLUMNS = ['Address', 'MAC', 'Host name', 'Expires'] as const;

/** One network: its facts, start/stop/delete, DHCP leases and (NAT) port forwards. */
export function NetworkPage() {
  const { name = '' } = useParams();
  useDocumentTitle(`Network ${name}`);
  const network = useQuery(networkQuery(name));

  return (
    <section aria-labelledby="network-title">
      <p>
        <Link to="/networks">← Networks</Link>
      </p>
      <div className="page-head">
        <h1 id="network-title">Network {name}</h1>
      </div>
      {network.isPending && <Loading what="the network" />}
      {network.isError && (
        <QueryError what="the network" error={network.error} onRetry={() => void network.refetch()} />
      )}
      {network.data && <NetworkView network={network.data} />}
    </section>
  );
}

function NetworkView({ network: n }: { network: NetworkDetail }) {
  const admin = useRoleGate('admin');
  const notify = useNotify();
  const navigate = useNavigate();
  const start = useStartNetwork();
  const stop = useStopNetwork();
  const remove = useDeleteNetwork();
  const busy = start.isPending || stop.isPending || remove.isPending;
  const running = n.state === 'running';

  return (
    <>
      <div className="panel">
        <dl className="network-facts">
          <dt>State</dt>
          <dd>
            <span className={`badge network-${n.state}`} data-testid="network-state">
              {stateText(n)}
            </span>
          </dd>
          <dt>Kind</dt>
          <dd>{KIND_WORDS[n.kind]}</dd>
          <dt>Bridge</dt>
          <dd>
            <code>{n.bridge}</code>
          </dd>
          {n.subnet && (
            <>
              <dt>Subnet</dt>
              <dd>
                <code>{n.subnet}</code> (gateway <code>{n.gateway}</code>)
              </dd>
            </>
          )}
          {n.dhcpRange && (
            <>
              <dt>DHCP range</dt>
              <dd>
                <code>{n.dhcpRange.start}</code> – <code>{n.dhcpRange.end}</code>
              </dd>
            </>
          )}
          {n.kind !== 'bridge' && (
            <>
              <dt>DNS</dt>
              <dd>
                guests are <code>&lt;guest&gt;.{n.name}.virtweb</code>
              </dd>
            </>
          )}
          <dt>Starts with the server</dt>
          <dd>{n.autostart ? 'yes' : 'no'}</dd>
          <dt>Guests</dt>
          <dd>{n.guests.length > 0 ? n.guests.join(', ') : 'none'}</dd>
        </dl>
        <div className="form-buttons">
          {n.kind !== 'bridge' && (
            <button
              type="button"
              className="btn"
              disabled={!admin.allowed || busy}
              title={admin.reason}
              onClick={() =>
                (running ? stop : start).mutate(n.name, {
                  onError: (err) => notify.error(`Could not ${running ? 'stop' : 'start'} the network`, err),
                })
              }
            >
              {running ? 'Stop' : 'Start'}
            </button>
          )}
          <ConfirmButton
            label="Delete"
            title={`Delete network ${n.name}?`}
            danger
            disabled={!admin.allowed || busy}
            disabledReason={admin.reason}
            busy={remove.isPending}
            onConfirm={() =>
              remove.mutate(n.name, {
                onSuccess: () => {
                  notify.success(`Network ${n.name} deleted`);
                  void navigate('/networks');
                },
                onError: (err) => notify.error('Could not delete the network', err),
              })
            }
          >
            {n.kind === 'bridge'
              ? `virtweb forgets it; the host bridge ${n.bridge} stays as it is.`
              : `Its bridge ${n.bridge}, firewall rules, DHCP server and leases are removed.`}
          </ConfirmButton>
        </div>
      </div>
      {n.kind !== 'bridge' && (
        <section className="panel" aria-labelledby="leases-title">
          <h2 id="leases-title">DHCP leases</h2>
          {n.leases.length === 0 ? (
            <p className="muted">No leases: no guest asked for an address yet.</p>
          ) : (
            <DataTable labelledBy="leases-title" columns={LEASE_COLUMNS}>
              {n.leases.map((l) => (
                <tr key={l.mac}>
                  <th scope="row">
                    <code>{l.ip}</code>
                  </th>
                  <td>
                    <code>{l.mac}</code>
                  </td>
                  <td>{l.hostname ?? '–'}</td>
                  <td>{l.expiresAt ? new Date(l.expiresAt).toLocaleString() : 'never'}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
      {n.kind === 'nat' && <PortForwardsPanel network={n} canEdit={admin.allowed} />}
    </>
  );
}
