// Sleeping between polls of qemu, cut short by the caller's abort or by an event that makes waiting pointless.

/**
 * Polls sleep on one of these; `wake()` (and the signal's abort, once) ends the current sleep, or the next one
 * when none is running, so a poll reacts at once without spinning afterwards.
 */
export class Ticker {
  readonly #signal: AbortSignal | undefined;
  #pending: (() => void) | undefined;
  #woken = false;

  constructor(signal?: AbortSignal) {
    this.#signal = signal;
    if (signal?.aborted === true) this.#woken = true;
    else signal?.addEventListener('abort', this.wake, { once: true });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  readonly wake = (): void => {
    this.#woken = true;
    this.#pending?.();
  };

  /** Resolves after `ms`, or earlier on `wake()` or abort. Never rejects. */
  sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#pending = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#pending = done;
    });
  }

  dispose(): void {
    this.#signal?.removeEventListener('abort', this.wake);
    this.#pending?.();
  }
}

/** Resolves after `ms` (a plain delay for bounded waits). */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
