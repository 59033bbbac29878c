import { useQuery } from '@tanstack/react-query';
import type { Vm } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { formatBytes, formatPercent } from '../../components/charts/format.ts';
import { stateWord } from '../../components/stateWords.ts';
import { hostQuery } from '../../queries/host.ts';
import { useLastTick } from '../../queries/liveMetrics.ts';
import { effectiveAuto } from '../host/hostWords.ts';

/** "3 guests: 2 running, 1 stopped" (states in the order they are listed). */
function guestCounts(vms: readonly Vm[]): string {
  const counts = new Map<string, number>();
  for (const v of vms) counts.set(stateWord(v.state), (counts.get(stateWord(v.state)) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  return `${vms.length} ${vms.length === 1 ? 'guest' : 'guests'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** The host at a glance above the guests: load, memory, free storage, the accelerator and why. */
export function HostSummary({ vms }: { vms: readonly Vm[] }) {
  const host = useQuery(hostQuery());
  const tick = useLastTick();
  const h = host.data;
  const auto = h && effectiveAuto(h);
  return (
    <section className="host-summary" aria-label="This host">
      <dl>
        <div>
          <dt>CPU</dt>
          <dd>
            {tick ? `${formatPercent(tick.host.cpu)} busy` : '…'}
            {h && ` · ${h.cpus} ${h.cpus === 1 ? 'core' : 'cores'}`}
          </dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            {tick ? `${formatBytes(tick.host.memUsed)} used of ${formatBytes(tick.host.memTotal)}` : '…'}
          </dd>
        </div>
        <div>
          <dt>Free storage</dt>
          <dd>
            {h?.storage
              ? `${formatBytes(h.storage.freeBytes)} of ${formatBytes(h.storage.totalBytes)}`
              : h
                ? 'unknown'
                : '…'}
          </dd>
        </div>
        <div>
          <dt>Accelerator</dt>
          <dd title={auto?.why}>
            {auto ? (
              <>
                {auto.accel === 'kvm' ? 'KVM' : 'TCG'} <Link to="/host">why</Link>
              </>
            ) : (
              '…'
            )}
          </dd>
        </div>
        <div>
          <dt>Guests</dt>
          <dd>{guestCounts(vms)}</dd>
        </div>
      </dl>
    </section>
  );
}
