// A websocket client that stops reading after the upgrade (a frozen browser tab): the server must drop it
// rather than buffer for it. Reading again later shows what the server queued and its close frame.
import net from 'node:net';
import { encodeFrame, Op, parseAnswer, upgradeRequest } from '../../apps/server/test/raw-ws.ts';

export interface Drained {
  /** Bytes that were waiting (in the kernel's buffers, and whatever the server still sent). */
  bytes: number;
  /** The server's close frame, when it arrived (not when the server cut the connection before sending it). */
  closeCode?: number;
  /** How the connection ended: a close frame, the server's FIN or RST, or still open at the timeout. */
  end: 'close frame' | 'cut by the server' | 'reset by the server' | 'still open';
}

export interface StalledClient {
  /** Starts reading again; resolves with the bytes that were waiting and the server's close code. */
  drain(timeoutMs?: number): Promise<Drained>;
}

/**
 * Upgrades to `path` with `headers`, sends `binary` as binary frames (e.g. RFB messages), then reads nothing.
 */
export async function stalledClient(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  binary: Buffer[] = [],
): Promise<StalledClient> {
  const url = new URL(baseUrl);
  const sock = net.connect(Number(url.port), url.hostname);
  sock.on('error', () => undefined);
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.write(upgradeRequest(url, path, headers));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const head = Buffer.concat(chunks).toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', check);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0] ?? ''}`));
    };
    sock.on('data', check);
  });
  for (const b of binary) sock.write(encodeFrame({ opcode: Op.binary, payload: b }));
  sock.pause();
  return {
    drain: (timeoutMs = 60_000) =>
      new Promise((resolve) => {
        const walker = new FrameWalker(Buffer.concat(chunks));
        let end: Drained['end'] = 'still open';
        const done = (): void => {
          clearTimeout(timer);
          sock.destroy();
          const closeCode = walker.closeCode ?? parseAnswer(Buffer.concat(chunks)).closeCode;
          if (closeCode !== undefined) end = 'close frame';
          resolve({ bytes: walker.bytes, end, ...(closeCode === undefined ? {} : { closeCode }) });
        };
        sock.on('end', () => (end = 'cut by the server'));
        sock.on('error', () => (end = 'reset by the server'));
        const timer = setTimeout(done, timeoutMs);
        sock.on('data', (d: Buffer) => {
          walker.push(d);
          if (walker.closeCode !== undefined) done();
        });
        sock.on('close', done);
        walker.push(Buffer.alloc(0));
        if (walker.closeCode !== undefined) done();
        else sock.resume();
      }),
  };
}

/** Walks the server's frames as they arrive (after the upgrade answer), keeping only an unfinished one. */
class FrameWalker {
  bytes = 0;
  closeCode: number | undefined;
  private pending: Buffer;

  constructor(first: Buffer) {
    const headEnd = first.indexOf('\r\n\r\n');
    this.pending = first.subarray(headEnd + 4);
    this.bytes = this.pending.length;
  }

  push(d: Buffer): void {
    this.bytes += d.length;
    let b = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    while (b.length >= 2 && this.closeCode === undefined) {
      let len = (b[1] ?? 0) & 0x7f;
      let start = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        start = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        start = 10;
      }
      if (b.length < start + len) break;
      if (((b[0] ?? 0) & 0x0f) === Op.close) this.closeCode = len >= 2 ? b.readUInt16BE(start) : 1005;
      b = b.subarray(start + len);
    }
    this.pending = b;
  }
}
