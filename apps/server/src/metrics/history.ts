import { MetricPointSchema, type MetricPoint } from '@virtweb/protocol';
import type { Db } from '../store/db.ts';
import { summarize } from './downsample.ts';

export const MINUTE_MS = 60_000;
/** Minute averages are kept this long. */
export const RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * Downsampled history: 1 s points are folded into one point per guest per minute (averages + CPU max) and
 * stored in SQLite, so graphs of the last day or week survive server restarts. Retention is enforced on write.
 */
export class MetricsHistory {
  private readonly pending = new Map<string, { minute: number; points: MetricPoint[] }>();
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds a 1 s point; when a guest's minute is over, its summary is written. */
  add(vmId: string, point: MetricPoint): void {
    const minute = Math.floor(point.at / MINUTE_MS) * MINUTE_MS;
    const cur = this.pending.get(vmId);
    if (cur && cur.minute !== minute) this.flushOne(vmId);
    const slot = this.pending.get(vmId);
    if (slot) slot.points.push(point);
    else this.pending.set(vmId, { minute, points: [point] });
  }

  /** Writes every partial minute (on shutdown, or when a guest stops). */
  flush(vmId?: string): void {
    for (const id of vmId === undefined ? [...this.pending.keys()] : [vmId]) this.flushOne(id);
  }

  /** Stored minute points of a guest since `sinceMs`, oldest first. */
  since(vmId: string, sinceMs: number): MetricPoint[] {
    const rows = this.db
      .prepare('SELECT point FROM metrics_minute WHERE vm_id = ? AND at >= ? ORDER BY at')
      .all(vmId, sinceMs) as { point: string }[];
    return rows.map((r) => MetricPointSchema.parse(JSON.parse(r.point)));
  }

  forget(vmId: string): void {
    this.pending.delete(vmId);
    this.db.prepare('DELETE FROM metrics_minute WHERE vm_id = ?').run(vmId);
  }

  private flushOne(vmId: string): void {
    const cur = this.pending.get(vmId);
    this.pending.delete(vmId);
    const point = cur ? summarize(cur.points, cur.minute) : null;
    if (!cur || !point) return;
    this.db
      .prepare('INSERT OR REPLACE INTO metrics_minute (vm_id, at, point) VALUES (?, ?, ?)')
      .run(vmId, cur.minute, JSON.stringify(point));
    this.prune();
  }

  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < MINUTE_MS) return;
    this.lastPrune = now;
    this.db.prepare('DELETE FROM metrics_minute WHERE at < ?').run(now - RETENTION_MS);
  }
}
