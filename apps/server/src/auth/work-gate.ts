/** Thrown by `WorkGate.run` when as many calls already wait as the gate allows. */
export class GateFullError extends Error {
  override name = 'GateFullError';
}

/**
 * Runs at most `running` calls at a time; up to `waiting` more wait their turn in order, and any beyond that
 * are refused at once (GateFullError) instead of queueing without bound.
 */
export class WorkGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {}

  /** @throws GateFullError when the queue is full; otherwise whatever `work` throws. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) throw new GateFullError('too many calls waiting');
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter (active stays), or is freed.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
