import net from 'node:net';
import type { WebSocket } from 'ws';
import { WsClose } from './upgrade.ts';

export interface BridgeOptions {
  /** Pause reading the unix socket while this many bytes are queued towards the browser. */
  highWaterBytes?: number;
  /** A browser that has not drained its queue for this long is dropped (the guest is never blocked). */
  stallTimeoutMs?: number;
}

/**
 * Pipes a websocket to a unix socket, both ways, as binary frames. Backpressure without copies: reading from
 * the unix socket pauses while the browser's queue is above the high-water mark, and a stuck browser is
 * closed rather than buffered for. Resolves when either side closes.
 */
export function bridgeUnixSocket(ws: WebSocket, socketPath: string, opts: BridgeOptions = {}): Promise<void> {
  const high = opts.highWaterBytes ?? 4 * 1024 * 1024;
  const stallMs = opts.stallTimeoutMs ?? 30_000;
  const sock = net.createConnection(socketPath);
  let queued = 0;
  let stallTimer: NodeJS.Timeout | undefined;

  const onSent = (len: number) => (): void => {
    queued -= len;
    if (queued <= high / 2 && sock.isPaused()) {
      clearTimeout(stallTimer);
      stallTimer = undefined;
      sock.resume();
    }
  };

  sock.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    queued += chunk.length;
    ws.send(chunk, { binary: true }, onSent(chunk.length));
    if (queued > high && !sock.isPaused()) {
      sock.pause();
      stallTimer = setTimeout(() => ws.close(WsClose.tooSlow, 'viewer too slow: reconnect'), stallMs);
    }
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (!sock.destroyed) sock.write(bytes);
  });

  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (code: number, reason: string): void => {
      if (done) return;
      done = true;
      clearTimeout(stallTimer);
      sock.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
      resolve();
    };
    sock.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        WsClose.wrongState,
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'guest not running' : err.message,
      ),
    );
    sock.on('close', () => finish(1000, 'guest connection closed'));
    ws.on('close', () => finish(1000, 'browser left'));
    ws.on('error', () => finish(1011, 'websocket error'));
  });
}
