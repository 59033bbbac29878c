// Helpers of the HTTP edge tests: requests written byte by byte on a raw socket (slow bodies, odd targets).
import net from 'node:net';
import tls from 'node:tls';
import type { TestServer } from './harness.ts';

export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number;
  head: string;
  body: string;
  /** How long after the request started the server closed the connection. */
  closedAfterMs: number;
}

export interface RawRequest {
  /** The request line and headers, without the blank line (`Host` is added). */
  head: string;
  /** False: the headers never end (no blank line after them; a slow client still sending headers). */
  endHead?: boolean;
  /** Sent right after the headers. */
  body?: string;
  /** Then one byte every `trickleMs` until the server closes (a slow client). */
  trickleMs?: number;
  /** Give up (and report status 0) after this long. */
  timeoutMs?: number;
}

/** Sends a request on its own connection (TLS to an https server) and waits for the server to close it. */
export function rawRequest(server: TestServer, req: RawRequest): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const port = Number(url.port);
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ port, host: url.hostname, rejectUnauthorized: false })
        : net.connect(port, url.hostname);
    let received = '';
    let trickle: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => socket.destroy(), req.timeoutMs ?? 30_000);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      const split = received.indexOf('\r\n\r\n');
      const head = split < 0 ? received : received.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({
        status,
        head,
        body: split < 0 ? '' : received.slice(split + 4),
        closedAfterMs: Date.now() - t0,
      });
    });
    const end = req.endHead === false ? '' : '\r\n';
    socket.write(`${req.head}\r\nHost: ${url.host}\r\n${end}${req.body ?? ''}`);
    if (req.trickleMs !== undefined) {
      trickle = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, req.trickleMs);
    }
  });
}

/** True when an answer's headers say the connection closes. */
export function closesConnection(answer: RawAnswer): boolean {
  return /^connection: close$/im.test(answer.head);
}
