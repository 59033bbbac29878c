import { useEffect, useSyncExternalStore } from 'react';
import type { HostPoint, MetricPoint, MetricsTick } from '@virtweb/protocol';

/** How long points stay when nobody asked for more: the guests list shows 2 min, the 5m charts 5 min. */
export const DEFAULT_KEEP_MS = 5 * 60_000;
const EMPTY: readonly MetricPoint[] = Object.freeze([]);

/** `points` without those older than `cutoff`, plus `next`; a new array (snapshots are immutable). */
function appendWithin<P extends { at: number }>(points: readonly P[], next: P, cutoff: number): P[] {
  let start = 0;
  while (start < points.length && (points[start]?.at ?? Infinity) < cutoff) start++;
  const out = points.slice(start);
  out.push(next);
  return out;
}

/**
 * The live side of the metrics: the last minutes of `metrics.tick` points per guest and for the host, fed by
 * the events socket, read with `useSyncExternalStore`. Charts showing 1 h `retain()` a longer window while
 * mounted, so their streamed tail never has a gap. Each push replaces only the arrays that changed.
 */
export class LiveMetricsStore {
  private vms = new Map<string, readonly MetricPoint[]>();
  private host: readonly HostPoint[] = [];
  private last: MetricsTick | null = null;
  private readonly keepVm = new Map<string, number[]>();
  private readonly keepHost: number[] = [];
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The points of one guest, oldest first; the same array until the next tick that names the guest. */
  vm = (id: string): readonly MetricPoint[] => this.vms.get(id) ?? EMPTY;

  hostPoints = (): readonly HostPoint[] => this.host;

  /** The last tick as received (every running guest's newest point, host figures). */
  lastTick = (): MetricsTick | null => this.last;

  push(tick: MetricsTick): void {
    const now = tick.host.at;
    const named = new Set<string>();
    for (const { id, point } of tick.vms) {
      named.add(id);
      this.vms.set(id, appendWithin(this.vm(id), point, point.at - this.keepFor(id)));
    }
    // Guests that stopped keep their tail until it is older than the window, then they are forgotten.
    for (const [id, points] of this.vms) {
      if (!named.has(id) && (points.at(-1)?.at ?? -Infinity) < now - this.keepFor(id)) this.vms.delete(id);
    }
    this.host = appendWithin(this.host, tick.host, now - Math.max(DEFAULT_KEEP_MS, ...this.keepHost));
    this.last = tick;
    for (const listener of this.listeners) listener();
  }

  /** Keeps `ms` of a guest's points until the returned release function is called. */
  retain(id: string, ms: number): () => void {
    const list = this.keepVm.get(id) ?? [];
    list.push(ms);
    this.keepVm.set(id, list);
    return () => {
      list.splice(list.indexOf(ms), 1);
      if (list.length === 0) this.keepVm.delete(id);
    };
  }

  retainHost(ms: number): () => void {
    this.keepHost.push(ms);
    return () => void this.keepHost.splice(this.keepHost.indexOf(ms), 1);
  }

  /** Forgets everything (a new session must not see the previous one's guests). */
  clear(): void {
    this.vms = new Map();
    this.host = [];
    this.last = null;
    for (const listener of this.listeners) listener();
  }

  private keepFor(id: string): number {
    return Math.max(DEFAULT_KEEP_MS, ...(this.keepVm.get(id) ?? []));
  }
}

/** The app's one live store; `applyEvent` feeds it with `metrics.tick` events. */
export const liveMetrics = new LiveMetricsStore();

/** A guest's live points (re-renders once a second while it runs, never for other guests' points). */
export function useLiveVm(id: string, keepMs = DEFAULT_KEEP_MS): readonly MetricPoint[] {
  useEffect(() => (keepMs > DEFAULT_KEEP_MS ? liveMetrics.retain(id, keepMs) : undefined), [id, keepMs]);
  return useSyncExternalStore(liveMetrics.subscribe, () => liveMetrics.vm(id));
}

export function useLiveHost(keepMs = DEFAULT_KEEP_MS): readonly HostPoint[] {
  useEffect(() => liveMetrics.retainHost(keepMs), [keepMs]);
  return useSyncExternalStore(liveMetrics.subscribe, liveMetrics.hostPoints);
}

/** The newest tick; re-renders every second, so only for small views (host share table, CPU sort). */
export function useLastTick(enabled = true): MetricsTick | null {
  return useSyncExternalStore(enabled ? liveMetrics.subscribe : noSubscribe, () =>
    enabled ? liveMetrics.lastTick() : null,
  );
}

const noSubscribe = (): (() => void) => () => undefined;
