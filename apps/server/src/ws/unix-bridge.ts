import net from 'node:net';
import type { WebSocket } from 'ws';
import { BrowserInputPacer, INPUT_STALLED_REASON } from './browser-input.ts';
import { WsClose } from './close-codes.ts';

export interface BridgeOptions {
  /** Pause reading the unix socket while this many bytes are queued towards the browser. */
  highWaterBytes?: number;
  /**
   * A browser that has not drained its queue for this long is dropped (the guest is never blocked); so is
   * one whose input the guest has not taken for this long.
   */
  stallTimeoutMs?: number;
  /** The close reason the browser gets when the unix socket side hangs up (default "guest connection closed"). */
  endReason?: string;
  /** Checks what the browser sends before the guest gets it; called once per connection. */
  inputFilter?: () => InputFilter;
}

/** What of one browser message the guest gets, and what the browser is told about the rest. */
export interface FilteredInput {
  toGuest: Buffer;
  toBrowser?: Buffer;
}

export type InputFilter = (message: Buffer) => FilteredInput;

/** Answers for the browser waiting for a line end in the guest's output; more than this are dropped. */
const MAX_PENDING_ANSWER_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * Pipes a websocket to a unix socket, both ways, as binary frames. Backpressure without copies: reading from
 * the unix socket pauses while the browser's queue is above the high-water mark, a browser that stays stuck
 * is closed (4408) and the unix socket released rather than buffered for; reading from the browser pauses
 * while the unix socket cannot take more (BrowserInputPacer). Resolves when either side is gone (the unix
 * socket is closed then; the websocket is closing, with a code and a reason).
 *
 * An input filter's answers go to the browser between lines of the guest's output, never inside one: at
 * once when nothing was passed on and the output is at a line start, else after the next line end.
 */
export function bridgeUnixSocket(ws: WebSocket, socketPath: string, opts: BridgeOptions = {}): Promise<void> {
  const high = opts.highWaterBytes ?? 4 * 1024 * 1024;
  const stallMs = opts.stallTimeoutMs ?? 30_000;
  const filter = opts.inputFilter?.();
  const sock = net.createConnection(socketPath);
  let queued = 0;
  let stallTimer: NodeJS.Timeout | undefined;
  let finish: (code: number, reason: string) => void = () => undefined;
  const pacer = new BrowserInputPacer(ws, stallMs, () => finish(WsClose.tooSlow, INPUT_STALLED_REASON));
  let atLineStart = true;
  let answers: Buffer[] = [];
  let answerBytes = 0;

  const onSent = (len: number) => (): void => {
    queued -= len;
    if (stallTimer !== undefined && queued <= high / 2) {
      clearTimeout(stallTimer);
      stallTimer = undefined;
      if (!sock.destroyed) sock.resume();
    }
  };
  const toBrowser = (chunk: Buffer): void => {
    queued += chunk.length;
    ws.send(chunk, { binary: true }, onSent(chunk.length));
  };
  const flushAnswers = (): void => {
    for (const a of answers) toBrowser(a);
    answers = [];
    answerBytes = 0;
  };

  sock.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    let rest = chunk;
    const lineEnd = answers.length > 0 ? rest.indexOf(LF) : -1;
    if (lineEnd !== -1) {
      toBrowser(rest.subarray(0, lineEnd + 1));
      flushAnswers();
      rest = rest.subarray(lineEnd + 1);
    }
    if (rest.length > 0) {
      toBrowser(rest);
      atLineStart = rest[rest.length - 1] === LF;
    } else atLineStart = true;
    if (queued > high && stallTimer === undefined) {
      sock.pause();
      stallTimer = setTimeout(() => finish(WsClose.tooSlow, 'viewer too slow: reconnect'), stallMs);
    }
  });
  sock.on('drain', () => pacer.drained());
  ws.on('message', (data: Buffer) => {
    if (sock.destroyed || ws.readyState !== ws.OPEN) return;
    const { toGuest, toBrowser: answer } = filter ? filter(data) : { toGuest: data };
    if (answer) {
      if (toGuest.length === 0 && atLineStart && answers.length === 0) toBrowser(answer);
      else if (answerBytes + answer.length <= MAX_PENDING_ANSWER_BYTES) {
        answers.push(answer);
        answerBytes += answer.length;
      }
    }
    // A guest that does not read its socket stops the browser's socket, not the server's memory.
    if (toGuest.length > 0 && !sock.write(toGuest)) pacer.blocked();
  });

  return new Promise<void>((resolve) => {
    let done = false;
    finish = (code, reason): void => {
      if (done) return;
      done = true;
      clearTimeout(stallTimer);
      sock.destroy();
      // A paused websocket would not read the browser's close frame.
      pacer.stop();
      // NOTE: ws keeps the frames already queued and sends the close frame after them; a browser that never
      // reads is destroyed by ws's own close timeout (30 s), so memory stays bounded by the high-water mark.
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
      resolve();
    };
    sock.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        WsClose.wrongState,
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'guest not running' : err.message,
      ),
    );
    sock.on('close', () => finish(1000, opts.endReason ?? 'guest connection closed'));
    ws.on('close', () => finish(1000, 'browser left'));
    ws.on('error', () => finish(1011, 'websocket error'));
  });
}
