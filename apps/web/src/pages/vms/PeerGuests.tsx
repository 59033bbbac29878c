import { useQuery } from '@tanstack/react-query';
import { isOperationAllowed, type HostGuests, type VmAction } from '@virtweb/protocol';
import { DataTable } from '../../components/DataTable.tsx';
import { StateBadge } from '../../components/StateBadge.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { clusterGuestsQuery, peersQuery, usePeerVmAction } from '../../queries/peers.ts';
import '../peers/peers.css';
import { FormError } from '../../components/FormError.tsx';

const ACTIONS: readonly { action: VmAction; label: string }[] = [
  { action: 'start', label: 'Start' },
  { action: 'shutdown', label: 'Shut down' },
];

const COLUMNS = ['Name', 'State', 'Memory', 'vCPUs'] as const;

/** The guests of the peers, one group per host, below this host's own list (shown only with peers). */
export function PeerGuests() {
  const peers = useQuery(peersQuery());
  const hasPeers = (peers.data?.length ?? 0) > 0;
  const cluster = useQuery({ ...clusterGuestsQuery(), enabled: hasPeers });
  if (!hasPeers || !cluster.data) return null;
  return (
    <>
      {cluster.data
        .filter((h) => h.host !== 'local')
        .map((h) => (
          <HostGroup key={h.host} group={h} />
        ))}
    </>
  );
}

function HostGroup({ group }: { group: HostGuests }) {
  const act = usePeerVmAction();
  const notify = useNotify();
  const titleId = `host-${group.host}`;
  return (
    <section className="host-group" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {group.name} <span className="muted small">{group.url}</span>
      </h2>
      <FormError message={group.error} />
      {!group.error && group.vms.length === 0 && <p className="muted">No guests on this host.</p>}
      {group.vms.length > 0 && (
        <DataTable label={`Guests on ${group.name}`} columns={COLUMNS} actions>
          {group.vms.map((vm) => (
            <tr key={vm.id} data-testid={`peer-vm-${vm.name}`}>
              <th scope="row">{vm.name}</th>
              <td>
                <StateBadge state={vm.state} />
              </td>
              <td>{vm.memoryMiB} MiB</td>
              <td>{vm.vcpus}</td>
              <td className="row-actions">
                {ACTIONS.filter((a) => isOperationAllowed(a.action, vm.state)).map((a) => (
                  <button
                    key={a.action}
                    type="button"
                    className="btn btn-small"
                    disabled={act.isPending}
                    onClick={() =>
                      act.mutate(
                        { peerId: group.host, vmId: vm.id, action: a.action },
                        {
                          onError: (err) =>
                            notify.error(`Could not ${a.label.toLowerCase()} ${vm.name}`, err),
                        },
                      )
                    }
                  >
                    {a.label}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
