import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { formatBytes, formatPercent } from '../../components/charts/format.ts';
import { useLastTick } from '../../queries/liveMetrics.ts';
import { vmsQuery } from '../../queries/vms.ts';

function ShareBar({ share, tone }: { share: number; tone: 'cpu' | 'mem' }) {
  const width = Math.min(Math.max(share, 0), 100);
  return (
    <span className={`share-bar share-bar-${tone}`} aria-hidden="true">
      <span style={{ width: `${width}%` }} />
    </span>
  );
}

/**
 * Each running guest's part of the host, from the newest tick: CPU as % of all host cores (so the rows and
 * "everything else" add up to the host's CPU) and qemu RSS as % of host memory. Busiest first.
 */
export function GuestShare() {
  const tick = useLastTick();
  const vms = useQuery(vmsQuery());
  if (!tick) return <p className="muted">Waiting for the first sample…</p>;
  const { host } = tick;
  const nameOf = new Map((vms.data ?? []).map((v) => [v.id, v.name]));
  const rows = tick.vms
    .map(({ id, point }) => ({
      id,
      name: nameOf.get(id) ?? id,
      cpu: point.cpu / Math.max(host.cpus, 1),
      rss: point.rss,
      mem: (point.rss / Math.max(host.memTotal, 1)) * 100,
    }))
    .sort((a, b) => b.cpu - a.cpu || a.name.localeCompare(b.name));
  const guestCpu = rows.reduce((sum, r) => sum + r.cpu, 0);
  const guestRss = rows.reduce((sum, r) => sum + r.rss, 0);
  const otherRss = Math.max(host.memUsed - guestRss, 0);

  return (
    <div className="panel">
      <h2 id="share-title">Share per guest</h2>
      {rows.length === 0 && <p className="muted">No guest is running.</p>}
      <div className="table-wrap">
        <table aria-labelledby="share-title">
          <thead>
            <tr>
              <th scope="col">Guest</th>
              <th scope="col" className="num">
                CPU of host
              </th>
              <th scope="col">
                <span className="visually-hidden">CPU bar</span>
              </th>
              <th scope="col" className="num">
                Memory (RSS) of host
              </th>
              <th scope="col">
                <span className="visually-hidden">Memory bar</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link to={`/vms/${r.id}`}>{r.name}</Link>
                </th>
                <td className="num">{formatPercent(r.cpu)}</td>
                <td>
                  <ShareBar share={r.cpu} tone="cpu" />
                </td>
                <td className="num">
                  {formatPercent(r.mem)} <span className="muted small">({formatBytes(r.rss)})</span>
                </td>
                <td>
                  <ShareBar share={r.mem} tone="mem" />
                </td>
              </tr>
            ))}
            <tr>
              <th scope="row" className="muted">
                Everything else on the host
              </th>
              <td className="num">{formatPercent(Math.max(host.cpu - guestCpu, 0))}</td>
              <td>
                <ShareBar share={host.cpu - guestCpu} tone="cpu" />
              </td>
              <td className="num">
                {formatPercent((otherRss / Math.max(host.memTotal, 1)) * 100)}{' '}
                <span className="muted small">({formatBytes(otherRss)})</span>
              </td>
              <td>
                <ShareBar share={(otherRss / Math.max(host.memTotal, 1)) * 100} tone="mem" />
              </td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
