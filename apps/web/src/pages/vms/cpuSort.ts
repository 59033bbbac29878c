import type { MetricPoint, Vm } from '@virtweb/protocol';
import { liveMetrics, useLastTick } from '../../queries/liveMetrics.ts';

/** Seconds averaged for the CPU order, so rows do not swap places on every one-second blip. */
const AVERAGE_OF = 5;

export type SortKey = 'name' | 'cpu';

/** The mean CPU of the newest few points; -1 for a guest without samples (sorts after idle ones). */
export function recentCpu(points: readonly MetricPoint[]): number {
  const recent = points.slice(-AVERAGE_OF);
  if (recent.length === 0) return -1;
  return recent.reduce((sum, p) => sum + p.cpu, 0) / recent.length;
}

/** The guests in the chosen order: by name (A to Z) or by recent CPU, busiest first. */
export function sortVms(
  vms: readonly Vm[],
  key: SortKey | null,
  pointsOf: (id: string) => readonly MetricPoint[],
): readonly Vm[] {
  if (key === null) return vms;
  const byName = (a: Vm, b: Vm) => a.name.localeCompare(b.name);
  if (key === 'name') return [...vms].sort(byName);
  const cpu = new Map(vms.map((vm) => [vm.id, recentCpu(pointsOf(vm.id))]));
  return [...vms].sort((a, b) => (cpu.get(b.id) ?? -1) - (cpu.get(a.id) ?? -1) || byName(a, b));
}

/** The list in the chosen order; sorted by CPU it re-sorts with every tick (once a second). */
export function useSortedVms(vms: readonly Vm[], key: SortKey | null): readonly Vm[] {
  useLastTick(key === 'cpu');
  return sortVms(vms, key, liveMetrics.vm);
}
