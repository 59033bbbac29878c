import net from 'node:net';
import type { WebSocket } from 'ws';
import { BrowserInputPacer, INPUT_STALLED_REASON } from './browser-input.ts';
import { WsClose } from './upgrade.ts';

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
}

/**
 * Pipes a websocket to a unix socket, both ways, as binary frames. Backpressure without copies: reading from
 * the unix socket pauses while the browser's queue is above the high-water mark, a browser that stays stuck
 * is closed (4408) and the unix socket released rather than buffered for; reading from the browser pauses
 * while the unix socket cannot take more (BrowserInputPacer). Resolves when either side is gone (the unix
 * socket is closed then; the websocket is closing, with a code and a reason).
 */
export function bridgeUnixSocket(ws: WebSocket, socketPath: string, opts: BridgeOptions = {}): Promise<void> {
  const high = opts.highWaterBytes ?? 4 * 1024 * 1024;
  const stallMs = opts.stallTimeoutMs ?? 30_000;
  const sock = net.createConnection(socketPath);
  let queued = 0;
  let stallTimer: NodeJS.Timeout | undefined;
  let finish: (code: number, reason: string) => void = () => undefined;
  const pacer = new BrowserInputPacer(ws, stallMs, () => finish(WsClose.tooSlow, INPUT_STALLED_REASON));

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

  sock.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    toBrowser(chunk);
    if (queued > high && stallTimer === undefined) {
      sock.pause();
      stallTimer = setTimeout(() => finish(WsClose.tooSlow, 'viewer too slow: reconnect'), stallMs);
    }
  });
  sock.on('drain', () => pacer.drained());
  ws.on('message', (data: Buffer) => {
    if (sock.destroyed || ws.readyState !== ws.OPEN) return;
    // A guest that does not read its socket stops the browser's socket, not the server's memory.
    if (!sock.write(data)) pacer.blocked();
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
