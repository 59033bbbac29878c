import type { ImageOperation } from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';

/** At most one progress event per operation in this many ms (~5 a second); the last one always goes out. */
const MIN_INTERVAL_MS = 200;

/** Publishes `image.progress` events for one operation, throttled. */
export class ProgressReporter {
  private last = 0;
  private lastDone = -1;

  constructor(
    private readonly bus: EventBus,
    private readonly base: { name: string; op: ImageOperation; total: number; target?: string },
    private readonly now: () => number = Date.now,
  ) {}

  /** Reports `done` of `total` unless one went out less than 200 ms ago; `force` for the first and last. */
  report(done: number, force = false): void {
    const t = this.now();
    if (done === this.lastDone) return;
    if (!force && t - this.last < MIN_INTERVAL_MS) return;
    this.last = t;
    this.lastDone = done;
    this.bus.publish({ type: 'image.progress', ...this.base, done });
  }

  /** The final event: done === total. */
  finish(): void {
    this.report(this.base.total, true);
  }
}
