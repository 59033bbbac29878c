import crypto from 'node:crypto';
import net from 'node:net';
import { parseResponse, type RawResponse } from './raw-http.ts';

/** A websocket frame as written by hand: any opcode, reserved bits, length and masking, valid or not. */
export interface FrameSpec {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  /** The RSV1..3 bits (0..7). */
  rsv?: number;
  /** Default true (clients must mask; an unmasked client frame is a protocol error). */
  mask?: boolean;
  /** The length the header claims (default: the payload's). */
  length?: number;
}

export const Op = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export function frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const length = spec.length ?? payload.length;
  const mask = spec.mask ?? true;
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  let head: Buffer;
  if (length < 126) head = Buffer.from([first, length]);
  else if (length < 65536) {
    head = Buffer.alloc(4);
    head.writeUInt16BE(length, 2);
    head[1] = 126;
  } else {
    head = Buffer.alloc(10);
    head.writeBigUInt64BE(BigInt(length), 2);
    head[1] = 127;
  }
  head[0] = first;
  if (!mask) return Buffer.concat([head, payload]);
  head[1] = (head[1] ?? 0) | 0x80;
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] ?? 0) ^ (MASK_KEY[i % 4] ?? 0);
  return Buffer.concat([head, MASK_KEY, masked]);
}

/** A close frame's payload: the code and a reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

/** What became of a socket: the server's close frame, a dropped connection (1006), or still open. */
export type WsOutcome = { code: number; reason: string } | 'open';

/** An accepted (101) websocket on a raw TCP socket: write any bytes, read the server's frames. */
export class RawWs {
  private buf: Buffer;
  private closeFrame: { code: number; reason: string } | undefined;
  private ended = false;
  messages = 0;

  constructor(
    readonly sock: net.Socket,
    leftover: Buffer,
  ) {
    this.buf = leftover;
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.parse();
    });
    sock.on('close', () => (this.ended = true));
    sock.on('error', () => undefined);
    this.parse();
  }

  write(bytes: Buffer): void {
    if (!this.sock.destroyed) this.sock.write(bytes);
  }

  /** Waits for the server's close frame (or a dropped connection); 'open' when neither came in time. */
  async outcome(timeoutMs: number): Promise<WsOutcome> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (this.closeFrame) return this.closeFrame;
      if (this.ended) return { code: 1006, reason: 'connection dropped without a close frame' };
      await new Promise((r) => setTimeout(r, 10));
    }
    return 'open';
  }

  /** Ends the connection the polite way (close 1000) and lets it go. */
  async close(): Promise<void> {
    this.write(frame({ opcode: Op.close, payload: closePayload(1000) }));
    await this.outcome(500);
    this.sock.destroy();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0] ?? 0;
      const b1 = this.buf[1] ?? 0;
      let len = b1 & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      if (this.buf.length < at + len) return;
      const payload = this.buf.subarray(at, at + len);
      this.buf = this.buf.subarray(at + len);
      if ((b0 & 0x0f) === Op.close) {
        this.closeFrame ??= {
          code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005,
          reason: payload.subarray(2).toString('utf8'),
        };
      } else this.messages++;
    }
  }
}

/** The server's answer to an upgrade: 101 with the socket, or an HTTP refusal. */
export type UpgradeResult = { status: 101; ws: RawWs } | ({ ws?: undefined } & RawResponse);

/** Asks for a websocket at `path` with exactly these extra headers. */
export function wsUpgrade(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to the upgrade of ${path}`));
    }, 15_000);
    const onData = (c: Buffer): void => {
      data = Buffer.concat([data, c]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0 || !data.subarray(0, 12).toString('latin1').includes(' 101')) return;
      upgraded = true;
      clearTimeout(timer);
      sock.off('data', onData);
      resolve({ status: 101, ws: new RawWs(sock, data.subarray(end + 4)) });
    };
    sock.on('data', onData);
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (upgraded) return;
      clearTimeout(timer);
      const res = parseResponse(data);
      if (res) resolve(res);
      else reject(new Error(`no HTTP answer to the upgrade of ${path}`));
    });
    const head = {
      host: `127.0.0.1:${port}`,
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-version': '13',
      'sec-websocket-key': crypto.randomBytes(16).toString('base64'),
      ...headers,
    };
    const lines = [`GET ${path} HTTP/1.1`, ...Object.entries(head).map(([k, v]) => `${k}: ${v}`)];
    sock.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
