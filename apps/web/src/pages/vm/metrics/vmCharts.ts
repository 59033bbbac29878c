import type { MetricPoint } from '@virtweb/protocol';
import type { ChartSeries } from '../../../components/charts/chartOptions.ts';
import { colorAt } from '../../../components/charts/palette.ts';
import type { ChartData } from '../../../components/charts/TimeSeriesChart.tsx';
import { toColumns, type Steps } from './points.ts';

export interface ChartSpec {
  series: ChartSeries[];
  data: ChartData;
}

type Field = (p: MetricPoint) => number | null | undefined;

function spec(points: readonly MetricPoint[], steps: Steps, lines: [ChartSeries, Field][]): ChartSpec {
  return {
    series: lines.map(([s]) => s),
    data: toColumns(
      points,
      lines.map(([, f]) => f),
      steps,
    ),
  };
}

/**
 * CPU: the whole qemu process and one line per vCPU thread (1 s points); minute points have no per-vCPU
 * figures, they show the minute's max instead.
 */
export function cpuChart(points: readonly MetricPoint[], steps: Steps, vcpus: number): ChartSpec {
  const lines: [ChartSeries, Field][] = [
    [{ label: 'qemu process', color: colorAt(0), fill: true }, (p) => p.cpu],
  ];
  if (steps.stepSec > 1 || steps.minuteUntil !== undefined) {
    lines.push([{ label: 'process max', color: colorAt(0), dash: [4, 4] }, (p) => p.cpuMax]);
  }
  if (steps.stepSec === 1) {
    for (let i = 0; i < vcpus; i++) {
      lines.push([{ label: `vCPU ${i}`, color: colorAt(i + 1) }, (p) => p.vcpus?.[i]]);
    }
  }
  return spec(points, steps, lines);
}

/** Memory: what the qemu process holds in host RAM (RSS) against the guest's configured RAM. */
export function memoryChart(points: readonly MetricPoint[], steps: Steps): ChartSpec {
  return spec(points, steps, [
    [{ label: 'qemu RSS', color: colorAt(2), fill: true }, (p) => p.rss],
    [{ label: 'guest RAM', color: colorAt(3), dash: [6, 4] }, (p) => p.mem],
  ]);
}

/** Disk: bytes per second on the left scale, operations per second (dashed) on the right one. */
export function diskChart(points: readonly MetricPoint[], steps: Steps): ChartSpec {
  return spec(points, steps, [
    [{ label: 'read', color: colorAt(0) }, (p) => p.diskRd],
    [{ label: 'write', color: colorAt(1) }, (p) => p.diskWr],
    [{ label: 'read ops', color: colorAt(0), dash: [3, 3], axis: 'right' }, (p) => p.diskRdOps],
    [{ label: 'write ops', color: colorAt(1), dash: [3, 3], axis: 'right' }, (p) => p.diskWrOps],
  ]);
}

/**
 * Network: what the guest received and sent, bytes per second on the left scale and packets per second (dashed)
 * on the right one; with several counted NICs, one received/sent pair per NIC instead of the totals' packets.
 */
export function netChart(points: readonly MetricPoint[], steps: Steps): ChartSpec {
  const lines: [ChartSeries, Field][] = [
    [{ label: 'received', color: colorAt(5) }, (p) => p.netRx],
    [{ label: 'sent', color: colorAt(4) }, (p) => p.netTx],
  ];
  const slots = [...new Set(points.flatMap((p) => (p.nics ?? []).map((n) => n.slot)))].sort((a, b) => a - b);
  if (slots.length > 1) {
    slots.forEach((slot, i) => {
      const nic = (p: MetricPoint) => p.nics?.find((n) => n.slot === slot);
      lines.push([
        { label: `NIC ${slot} received`, color: colorAt(6 + 2 * i), dash: [6, 3] },
        (p) => nic(p)?.rx,
      ]);
      lines.push([{ label: `NIC ${slot} sent`, color: colorAt(7 + 2 * i), dash: [6, 3] }, (p) => nic(p)?.tx]);
    });
  } else {
    lines.push([
      { label: 'received pkts', color: colorAt(5), dash: [3, 3], axis: 'right' },
      (p) => p.netRxPkts,
    ]);
    lines.push([{ label: 'sent pkts', color: colorAt(4), dash: [3, 3], axis: 'right' }, (p) => p.netTxPkts]);
  }
  return spec(points, steps, lines);
}

/** True when no point has a net rate: no NIC of the guest goes through a tap (user-mode networking, or none). */
export const netUnmeasured = (points: readonly MetricPoint[]): boolean =>
  points.every((p) => p.netRx === null && p.netTx === null);
