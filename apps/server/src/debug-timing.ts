// VIRTWEB_DEBUG_TIMING=1: spans of slow paths (a guest's start) on the server's log, to see where time goes
// (`npm run bench -- start` reads them). Off, a span costs two performance.now() calls per step.

let enabled = false;

/** Set once by main.ts from the configuration. */
export function setDebugTiming(on: boolean): void {
  enabled = on;
}

/** Named steps of one operation, each timed from the end of the previous one. */
export class Spans {
  private readonly steps: [string, number][] = [];
  private last = performance.now();
  private readonly first = this.last;

  constructor(private readonly what: string) {}

  /** Ends the current step under this name. */
  mark(step: string): void {
    const now = performance.now();
    this.steps.push([step, now - this.last]);
    this.last = now;
  }

  /** One line: `start <id>: checks 2.1 ms, launch 40.3 ms, ..., total 61.0 ms`. */
  text(): string {
    const parts = this.steps.map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`);
    return `${this.what}: ${[...parts, `total ${(this.last - this.first).toFixed(1)} ms`].join(', ')}`;
  }

  /** Logs the line when debug timing is on. */
  log(): void {
    if (enabled) console.log(`timing ${this.text()}`);
  }
}
