import { useMemo, useState } from 'react';
import { MetricsRangeSchema, type MetricsRange, type Vm } from '@virtweb/protocol';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { TimeSeriesChart } from '../../../components/charts/TimeSeriesChart.tsx';
import { RangePicker } from './RangePicker.tsx';
import { RANGE_MS } from './points.ts';
import { useVmMetrics } from './useVmMetrics.ts';
import { cpuChart, diskChart, memoryChart, netChart, netUnmeasured } from './vmCharts.ts';
import './metrics.css';

const RANGES = MetricsRangeSchema.options;
const LIVE_STATES = new Set(['running', 'paused', 'stopping', 'migrating']);

const RANGE_WORDS: Record<MetricsRange, string> = {
  '5m': 'the last 5 minutes',
  '1h': 'the last hour',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
};

/** "not measurable (...)" -> "Not measurable (...)." */
const sentence = (s: string): string =>
  `${s.charAt(0).toUpperCase()}${s.slice(1)}${s.endsWith('.') ? '' : '.'}`;

/** What one point of the graphs is. */
function stepCaption(stepSec: number, minuteUntil: number | undefined): string {
  if (stepSec > 1)
    return 'One point per minute: averages, and the minute’s CPU max (per-vCPU lines are in 5 min and 1 hour). Refreshed every minute.';
  if (minuteUntil !== undefined)
    return `Minute averages until ${new Date(minuteUntil).toLocaleTimeString()} (the server restarted then; per-second points are kept in memory), one point per second, live, after that.`;
  return 'One point per second, live.';
}

/**
 * The guest's graphs: CPU (process and per vCPU), memory, disk and net IO over a chosen range. 5m and 1h
 * stream one point a second from the events socket; 24h and 7d show minute averages, refreshed each minute.
 */
export function GraphsTab({ vm }: { vm: Vm }) {
  const [range, setRange] = useState<MetricsRange>('5m');
  const { query, points, stepSec, minuteUntil, netNote } = useVmMetrics(vm.id, range);
  const charts = useMemo(() => {
    const steps = { stepSec, minuteUntil };
    return (
      points && {
        cpu: cpuChart(points, steps, vm.vcpus),
        memory: memoryChart(points, steps),
        disk: diskChart(points, steps),
        net: netChart(points, steps),
        netUnmeasured: netUnmeasured(points),
      }
    );
  }, [points, stepSec, minuteUntil, vm.vcpus]);
  const windowSec = RANGE_MS[range] / 1000;
  const common = { windowSec, syncKey: `vm-${vm.id}` };

  return (
    <div>
      <div className="graphs-head">
        <RangePicker ranges={RANGES} value={range} onChange={setRange} />
        <p className="muted small">
          {stepCaption(stepSec, minuteUntil)} Hover a chart to read the values at that time.
        </p>
      </div>
      {query.isPending && <Loading what="the graphs" />}
      {query.isError && (
        <QueryError what="the graphs" error={query.error} onRetry={() => void query.refetch()} />
      )}
      {charts && points?.length === 0 && (
        <div className="empty">
          <p>
            No samples in {RANGE_WORDS[range]}
            {LIVE_STATES.has(vm.state)
              ? ': the first points arrive within a second or two.'
              : ': the guest was not running. Start it to see what it does.'}
          </p>
        </div>
      )}
      {charts && points && points.length > 0 && (
        <div className="graphs-grid">
          <section className="panel" aria-label="CPU">
            <TimeSeriesChart
              title="CPU (% of one host core)"
              unit="percent"
              softMax={100}
              {...charts.cpu}
              {...common}
            />
          </section>
          <section className="panel" aria-label="Memory">
            <TimeSeriesChart
              title="Memory (qemu RSS vs guest RAM)"
              unit="bytes"
              softMax={vm.memoryMiB * 2 ** 20}
              {...charts.memory}
              {...common}
            />
          </section>
          <section className="panel" aria-label="Disk IO">
            <TimeSeriesChart
              title="Disk IO (bytes/s; ops/s dashed, right scale)"
              unit="rate"
              rightUnit="ops"
              softMax={1024}
              {...charts.disk}
              {...common}
            />
          </section>
          <section className="panel" aria-label="Network IO">
            {charts.netUnmeasured ? (
              <>
                <h3 className="chart-title">Network IO</h3>
                <p className="net-note">{sentence(netNote ?? 'not measurable with user-mode networking')}</p>
              </>
            ) : (
              <>
                <TimeSeriesChart
                  title="Network IO (bytes/s; packets/s dashed, right scale)"
                  unit="rate"
                  rightUnit="pkts"
                  softMax={1024}
                  {...charts.net}
                  {...common}
                />
                {netNote !== undefined && <p className="net-note muted small">{sentence(netNote)}</p>}
              </>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
