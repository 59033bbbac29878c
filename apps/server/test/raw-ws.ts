import crypto from 'node:crypto';
import net from 'node:net';

/** Websocket opcodes (RFC 6455 5.2). */
export const Op = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface RawFrame {
  opcode: number;
  payload: Buffer;
  /** Default true. */
  fin?: boolean;
  /** Default true (clients must mask; an unmasked frame is a protocol error). */
  mask?: boolean;
  /** RSV1-3 bits (must be 0 without extensions). */
  rsv?: number;
  /** Claims this payload length in the header instead of the real one (the payload sent is still `payload`). */
  claimedLength?: number;
}

/** One frame as a client would put it on the wire, whatever it claims. */
export function encodeFrame(f: RawFrame): Buffer {
  const len = f.claimedLength ?? f.payload.length;
  const masked = f.mask ?? true;
  const head = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | f.opcode];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  const key = masked ? crypto.randomBytes(4) : Buffer.alloc(0);
  const payload = Buffer.from(f.payload);
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([Buffer.from(head), ext, key, payload]);
}

export interface RawResult {
  /** The HTTP status of the upgrade answer (101 when accepted). */
  status: number;
  /** The code of the server's first close frame, if one came. */
  closeCode?: number;
}

/** A websocket upgrade request for `path` on `url`'s host, with these extra headers. */
export function upgradeRequest(url: URL, path: string, headers: Record<string, string>): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
}

/**
 * Opens a websocket by hand and writes `frames` right behind the upgrade request, without waiting for the
 * answer: the server gets them whatever it does first (even when it refuses or closes the socket at once).
 * Resolves at the server's close frame or the end of the connection, at the latest after `waitMs`.
 */
export function rawWebSocket(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  frames: Buffer[],
  waitMs = 3000,
): Promise<RawResult> {
  const url = new URL(baseUrl);
  const sock = net.connect(Number(url.port), url.hostname);
  sock.on('error', () => undefined);
  sock.write(upgradeRequest(url, path, headers));
  for (const f of frames) sock.write(f);
  let received = Buffer.alloc(0);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(parseAnswer(received));
    };
    const timer = setTimeout(done, waitMs);
    sock.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (parseAnswer(received).closeCode !== undefined) done();
    });
    sock.on('close', done);
  });
}

/** The status line and the first close frame of what the server sent. */
export function parseAnswer(bytes: Buffer): RawResult {
  const headEnd = bytes.indexOf('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1', 0, 20))?.[1] ?? 0);
  if (headEnd === -1 || status !== 101) return { status };
  let at = headEnd + 4;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] ?? 0) & 0x0f;
    let len = (bytes[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (len === 126) {
      if (start + 2 > bytes.length) break;
      len = bytes.readUInt16BE(start);
      start += 2;
    } else if (len === 127) {
      if (start + 8 > bytes.length) break;
      len = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (start + len > bytes.length) break;
    if (opcode === Op.close) return { status, closeCode: len >= 2 ? bytes.readUInt16BE(start) : 1005 };
    at = start + len;
  }
  return { status };
}
