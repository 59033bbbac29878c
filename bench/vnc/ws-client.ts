import crypto from 'node:crypto';
import net from 'node:net';

/** What the lean client reports: payload pieces of binary messages, and the close. */
export interface WsHandlers {
  /** A piece of a binary message's payload, a subarray of the received chunk (valid during the call). */
  onPayload(piece: Buffer): void;
  onClose(code: number, reason: string): void;
}

export interface LeanWebSocket {
  send(payload: Buffer): void;
  close(): void;
}

/**
 * A minimal websocket client (RFC 6455) for the benchmark: it hands payload bytes on as subarrays of what
 * the socket read, with no per-message buffering or concatenation, the way a browser's native WebSocket
 * costs little next to the relay being measured. Binary data messages and close only; ws:// on a TCP port.
 */
export function connectLeanWebSocket(
  url: string,
  headers: Record<string, string>,
  on: WsHandlers,
): Promise<LeanWebSocket> {
  const u = new URL(url);
  if (u.protocol !== 'ws:') throw new Error(`only ws:// URLs: ${url}`);
  const key = crypto.randomBytes(16).toString('base64');
  const sock = net.createConnection({ host: u.hostname, port: Number(u.port), noDelay: true });
  const request = [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
    `Host: ${u.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const accept = crypto
    .createHash('sha1')
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  const parser = new FrameParser(on);
  const ws: LeanWebSocket = {
    send: (payload) => sock.write(clientFrame(0x2, payload)),
    close: () => {
      sock.end(clientFrame(0x8, Buffer.of(0x03, 0xe8)));
      setTimeout(() => sock.destroy(), 1000).unref();
    },
  };
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onHandshake = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = head.subarray(0, end).toString('latin1');
      sock.off('data', onHandshake);
      if (!/^HTTP\/1\.1 101 /.test(text) || !text.includes(accept)) {
        sock.destroy();
        reject(new Error(`websocket upgrade refused: ${text.split('\r\n')[0] ?? ''}`));
        return;
      }
      sock.on('data', (c: Buffer) => parser.push(c));
      resolve(ws);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) parser.push(rest);
    };
    sock.on('data', onHandshake);
    sock.once('connect', () => sock.write(request));
    sock.on('error', (err) => {
      reject(err);
      parser.closed(1006, err.message);
    });
    sock.on('close', () => parser.closed(1006, 'connection closed'));
  });
}

/** Client frames are masked (RFC 6455 5.3); the payloads here are a few bytes, so copying is fine. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.alloc(headLen + 4 + len);
  frame[0] = 0x80 | opcode;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = crypto.randomBytes(4);
  mask.copy(frame, headLen);
  for (let i = 0; i < len; i++) frame[headLen + 4 + i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return frame;
}

/** Server-to-client frames: unmasked headers parsed in place, binary payloads passed on piecewise. */
class FrameParser {
  private header = Buffer.alloc(0);
  private left = 0;
  private opcode = 0;
  private control: Buffer[] = [];
  private done = false;

  constructor(private readonly on: WsHandlers) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - pos);
        const piece = chunk.subarray(pos, pos + n);
        if (this.opcode === 0x8) this.control.push(piece);
        else if (this.opcode === 0x2 || this.opcode === 0x0) this.on.onPayload(piece);
        this.left -= n;
        pos += n;
        if (this.left === 0) this.frameDone();
        continue;
      }
      // Accumulate a header (2..10 bytes; rarely split across reads).
      const need = this.headerLength(chunk, pos);
      const have = this.header.length;
      if (need === undefined || have + chunk.length - pos < need) {
        this.header = Buffer.concat([this.header, chunk.subarray(pos)]);
        return;
      }
      const h =
        have > 0
          ? Buffer.concat([this.header, chunk.subarray(pos, pos + need - have)])
          : chunk.subarray(pos, pos + need);
      pos += need - have;
      this.header = Buffer.alloc(0);
      this.opcode = (h[0] ?? 0) & 0x0f;
      const len7 = (h[1] ?? 0) & 0x7f;
      this.left = len7 < 126 ? len7 : len7 === 126 ? h.readUInt16BE(2) : Number(h.readBigUInt64BE(2));
      if (this.left === 0) this.frameDone();
    }
  }

  closed(code: number, reason: string): void {
    if (this.done) return;
    this.done = true;
    this.on.onClose(code, reason);
  }

  private headerLength(chunk: Buffer, pos: number): number | undefined {
    const second =
      this.header.length >= 2 ? this.header[1] : this.header.length === 1 ? chunk[pos] : chunk[pos + 1];
    if (second === undefined) return undefined;
    const len7 = second & 0x7f;
    return len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
  }

  private frameDone(): void {
    if (this.opcode !== 0x8) return;
    const body = Buffer.concat(this.control);
    this.control = [];
    this.closed(body.length >= 2 ? body.readUInt16BE(0) : 1005, body.subarray(2).toString('utf8'));
  }
}
