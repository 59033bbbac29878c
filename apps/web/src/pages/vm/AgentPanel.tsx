import { useQuery } from '@tanstack/react-query';
import { formatBytes, type GuestAgentInfo, type GuestFilesystem, type Vm } from '@virtweb/protocol';
import { QueryError } from '../../components/QueryError.tsx';
import { guestAgentQuery } from '../../queries/guestAgent.ts';
import { timeLabel } from '../vmFormat.ts';
import './agent.css';

/** The guest agent's word on the guest: connected or why not, OS, hostname, addresses, file systems. */
export function AgentPanel({ vm }: { vm: Vm }) {
  const running = vm.pid !== undefined;
  const info = useQuery({ ...guestAgentQuery(vm.id, vm.startedAt ?? ''), enabled: running });
  return (
    <section className="panel agent-panel" aria-labelledby="agent-title">
      <h2 id="agent-title">Guest agent</h2>
      {!running ? (
        <p className="muted">{vm.guestAgent ? 'Asked while the guest runs.' : 'No agent channel.'}</p>
      ) : info.error ? (
        <QueryError what="the guest agent" error={info.error} onRetry={() => void info.refetch()} />
      ) : info.data ? (
        <AgentFacts info={info.data} />
      ) : (
        <p className="muted">Asking…</p>
      )}
    </section>
  );
}

function AgentFacts({ info }: { info: GuestAgentInfo }) {
  return (
    <>
      <dl className="facts">
        <dt>Agent</dt>
        <dd data-testid="agent-status">
          {info.connected ? 'connected' : 'not connected'}
          {info.reason && <span className="muted"> ({info.reason})</span>}
          {info.version && <span className="muted"> (qemu-ga {info.version})</span>}
        </dd>
        {info.os && (
          <>
            <dt>OS</dt>
            <dd>
              {info.os.name}
              {info.os.kernelRelease && <span className="muted"> (kernel {info.os.kernelRelease})</span>}
            </dd>
          </>
        )}
        {info.hostname && (
          <>
            <dt>Hostname</dt>
            <dd>{info.hostname}</dd>
          </>
        )}
        {info.checkedAt && (
          <>
            <dt>Asked</dt>
            <dd>{timeLabel(info.checkedAt)}</dd>
          </>
        )}
      </dl>
      {info.interfaces && info.interfaces.length > 0 && (
        <table className="agent-interfaces">
          <caption>Interfaces</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">MAC</th>
              <th scope="col">Addresses</th>
            </tr>
          </thead>
          <tbody>
            {info.interfaces.map((i) => (
              <tr key={i.name}>
                <th scope="row">{i.name}</th>
                <td>
                  <code>{i.mac ?? '—'}</code>
                </td>
                <td>
                  {i.addresses.length === 0 && <span className="muted">none</span>}
                  {i.addresses.map((a) => (
                    <div key={a.address}>
                      <code>
                        {a.address}/{a.prefix}
                      </code>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {info.filesystems && (
        <div className="agent-filesystems">
          <h3>File systems</h3>
          {info.filesystems.length === 0 ? (
            <p className="muted">The agent reports no file system on a block device.</p>
          ) : (
            <ul>
              {info.filesystems.map((f) => (
                <FilesystemUsage key={f.mountpoint} fs={f} />
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

function FilesystemUsage({ fs }: { fs: GuestFilesystem }) {
  const { usedBytes: used, totalBytes: total } = fs;
  const known = used !== undefined && total !== undefined && total > 0;
  const pct = known ? Math.round((used / total) * 100) : 0;
  return (
    <li>
      <span>
        <code>{fs.mountpoint}</code> <span className="muted">{fs.type}</span>
      </span>
      {known ? (
        <>
          <meter
            min={0}
            max={total}
            value={used}
            high={total * 0.9}
            aria-label={`${fs.mountpoint} used`}
            aria-valuetext={`${pct}%`}
          />
          <span className="muted">
            {formatBytes(used)} of {formatBytes(total)} ({pct}%)
          </span>
        </>
      ) : (
        <span className="muted">usage not reported</span>
      )}
    </li>
  );
}
