import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { HostPoint } from '@virtweb/protocol';
import type { HostRange } from '../../api/metrics.ts';
import { formatBytes, formatPercent } from '../../components/charts/format.ts';
import { colorAt } from '../../components/charts/palette.ts';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { useLiveHost } from '../../queries/liveMetrics.ts';
import { hostMetricsQuery } from '../../queries/metrics.ts';
import { mergeLive, RANGE_MS, toColumns } from '../vm/metrics/points.ts';
import { RangePicker } from '../vm/metrics/RangePicker.tsx';
import { GuestShare } from './GuestShare.tsx';
import '../vm/metrics/metrics.css';

const RANGES: readonly HostRange[] = ['5m', '1h'];
const CPU_SERIES = [{ label: 'host CPU', color: colorAt(0), fill: true }];
const MEM_SERIES = [
  { label: 'used', color: colorAt(2), fill: true },
  { label: 'total', color: colorAt(3), dash: [6, 4] },
];

/** The host's points over `range`: fetched once, then streamed from the events socket. */
function useHostPoints(range: HostRange) {
  const query = useQuery(hostMetricsQuery(range));
  const live = useLiveHost(RANGE_MS[range]);
  const base = query.data;
  const points = useMemo(
    () => (base === undefined ? undefined : mergeLive(base, live, RANGE_MS[range])),
    [base, live, range],
  );
  return { query, points };
}

/** Host CPU and memory over time (live), and how much of them each running guest takes. */
export function HostLoad() {
  const [range, setRange] = useState<HostRange>('5m');
  const { query, points } = useHostPoints(range);
  const cpu = useMemo(() => points && toColumns(points, [(p: HostPoint) => p.cpu], 1), [points]);
  const mem = useMemo(
    () => points && toColumns(points, [(p: HostPoint) => p.memUsed, (p: HostPoint) => p.memTotal], 1),
    [points],
  );
  const newest = points?.at(-1);
  const common = { windowSec: RANGE_MS[range] / 1000, syncKey: 'host' };

  return (
    <section className="host-load" aria-labelledby="load-title">
      <div className="graphs-head">
        <h2 id="load-title">Load</h2>
        <RangePicker ranges={RANGES} value={range} onChange={setRange} />
        {newest && (
          <p className="muted small">
            {newest.cpus} CPUs · CPU {formatPercent(newest.cpu)} · load average (1 min){' '}
            {newest.load1.toFixed(2)} · memory {formatBytes(newest.memUsed)} of {formatBytes(newest.memTotal)}
          </p>
        )}
      </div>
      {query.isError && (
        <QueryError what="the host load" error={query.error} onRetry={() => void query.refetch()} />
      )}
      {cpu && mem && (
        <div className="graphs-grid">
          <section className="panel" aria-label="Host CPU">
            <TimeSeriesChart
              title="CPU (% of all cores)"
              unit="percent"
              softMax={100}
              series={CPU_SERIES}
              data={cpu}
              {...common}
            />
          </section>
          <section className="panel" aria-label="Host memory">
            <TimeSeriesChart title="Memory" unit="bytes" series={MEM_SERIES} data={mem} {...common} />
          </section>
        </div>
      )}
      <GuestShare />
    </section>
  );
}
