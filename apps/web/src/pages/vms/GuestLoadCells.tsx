import { PROCESS_STATES, type Vm } from '@virtweb/protocol';
import { formatBytes, formatPercent } from '../../components/charts/format.ts';
import { Sparkline } from '../../components/charts/Sparkline.tsx';
import { useLiveVm } from '../../queries/liveMetrics.ts';
import '../vm/metrics/metrics.css';

/** Seconds of history a list row shows. */
export const SPARK_SECONDS = 120;

/**
 * The CPU and memory cells of a guests-list row: the last 2 minutes as sparklines plus the newest value,
 * from the live store (no request per row). Empty for guests without a qemu process.
 */
export function GuestLoadCells({ vm }: { vm: Vm }) {
  const points = useLiveVm(vm.id);
  const newest = points.at(-1);
  if (!PROCESS_STATES.includes(vm.state) || !newest) {
    return (
      <>
        <td className="load-td" />
        <td className="load-td" />
      </>
    );
  }
  const recent = points.slice(-SPARK_SECONDS);
  return (
    <>
      <td className="load-td">
        <div className="load-cell">
          <Sparkline
            values={recent.map((p) => p.cpu)}
            capacity={SPARK_SECONDS}
            max={100}
            label={`CPU of ${vm.name}, last 2 minutes`}
          />
          <span className="load-value">{formatPercent(newest.cpu)}</span>
        </div>
      </td>
      <td className="load-td">
        <div className="load-cell">
          <Sparkline
            values={recent.map((p) => p.rss)}
            capacity={SPARK_SECONDS}
            max={newest.mem}
            label={`Memory (qemu RSS) of ${vm.name}, last 2 minutes`}
            tone="mem"
          />
          <span className="load-value">{formatBytes(newest.rss)}</span>
        </div>
      </td>
    </>
  );
}
