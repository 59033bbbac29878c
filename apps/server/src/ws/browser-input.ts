import type { WebSocket } from 'ws';

/** Why a browser's input session ended because the guest did not take its input. */
export const INPUT_STALLED_REASON = 'guest not reading input: reconnect';
/** After a stalled session's close frame is sent, how long before its connection is cut unread. */
const STALL_CLOSE_GRACE_MS = 1000;

/**
 * Paces what a browser sends by what the guest takes: `blocked()` when a write into the guest's socket did
 * not fit stops reading the websocket, `drained()` reads on. While the websocket is not read the server
 * holds at most what was already received, but it also cannot notice the browser leaving: a guest that
 * takes nothing for `stallMs` calls `onStall` (which closes the websocket with 4408 and drops what is queued).
 */
export class BrowserInputPacer {
  private stallTimer: NodeJS.Timeout | undefined;
  private stalled = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly stallMs: number,
    private readonly onStall: () => void,
  ) {}

  /** The guest's socket is full: stop reading the browser until `drained()`. */
  blocked(): void {
    if (this.stallTimer !== undefined) return;
    this.ws.pause();
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.stalled = true;
      this.onStall();
      // Not read on: behind the browser's close frame may wait megabytes it sent, which would only be read
      // to be thrown away. The close frame has gone out when the connection is cut a moment later.
      setTimeout(() => this.ws.terminate(), STALL_CLOSE_GRACE_MS).unref();
    }, this.stallMs);
  }

  /** The guest took what was queued: read the browser again. */
  drained(): void {
    if (this.stallTimer === undefined) return;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.ws.resume();
  }

  /** The session is over: read on, so that the browser's close frame is seen (not after a stall: see above). */
  stop(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (!this.stalled && this.ws.isPaused) this.ws.resume();
  }
}
