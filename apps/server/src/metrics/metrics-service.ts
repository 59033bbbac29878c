import type { HostPoint, MetricPoint, MetricsRange, VmMetrics } from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import { downsample } from './downsample.ts';
import { MINUTE_MS, type MetricsHistory } from './history.ts';
import { Ring } from './ring.ts';
import { MetricsSampler, type SampledGuest } from './sampler.ts';

const RING_POINTS = 3600;
const RANGE_MS: Record<MetricsRange, number> = {
  '5m': 300_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
};

/**
 * Samples every running guest once a second, keeps 1 h of 1 s points per guest in memory, writes minute
 * averages to SQLite, and publishes one `metrics.tick` event per second for all guests together.
 */
export class MetricsService {
  private readonly sampler = new MetricsSampler();
  private readonly rings = new Map<string, Ring<MetricPoint>>();
  private readonly hostRing = new Ring<HostPoint>(RING_POINTS);
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly guests: () => SampledGuest[],
    private readonly bus: EventBus,
    private readonly history: MetricsHistory,
    /** Why a guest's network graph leaves NICs out (user-mode NICs have no counters); undefined when none. */
    private readonly netNoteOf: (id: string) => string | undefined = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.history.flush();
  }

  /** One sampling round; overlapping rounds are skipped rather than queued. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const guests = this.guests();
      const tick = await this.sampler.tick(guests, this.now());
      this.hostRing.push(tick.host);
      for (const { id, point } of tick.vms) {
        let ring = this.rings.get(id);
        if (!ring) this.rings.set(id, (ring = new Ring<MetricPoint>(RING_POINTS)));
        ring.push(point);
        this.history.add(id, point);
      }
      this.bus.publish(tick);
    } finally {
      this.busy = false;
    }
  }

  vmMetrics(id: string, range: MetricsRange): VmMetrics {
    const since = this.now() - RANGE_MS[range];
    const live = this.rings.get(id)?.newest((p) => p.at >= since) ?? [];
    const note = this.netNoteOf(id);
    const netNote = note === undefined ? {} : { netNote: note };
    if (range === '5m') return { range, step: 1, ...netNote, points: live };
    this.history.flush(id);
    const stored = this.history.since(id, since);
    if (range === '1h') {
      // After a server restart the ring is short: older minutes come from the stored history.
      const firstLive = live[0]?.at ?? Infinity;
      const minutes = stored.filter((p) => p.at + MINUTE_MS <= firstLive);
      return {
        range,
        step: 1,
        ...netNote,
        ...(minutes.length > 0 ? { minuteUntil: Math.min(firstLive, this.now()) } : {}),
        points: [...minutes, ...live],
      };
    }
    const lastStored = stored.at(-1)?.at ?? -Infinity;
    const fresh = downsample(
      live.filter((p) => p.at >= lastStored + MINUTE_MS),
      MINUTE_MS,
    );
    return { range, step: 60, ...netNote, points: [...stored, ...fresh] };
  }

  hostMetrics(range: '5m' | '1h'): HostPoint[] {
    const since = this.now() - RANGE_MS[range];
    return this.hostRing.newest((p) => p.at >= since);
  }

  /** A guest was undefined: drop its live and stored history. */
  forget(id: string): void {
    this.rings.delete(id);
    this.sampler.forget(id);
    this.history.forget(id);
  }
}
