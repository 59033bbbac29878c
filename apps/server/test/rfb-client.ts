import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ByteStream } from './byte-stream.ts';

/** RFB encodings this client understands (Raw pixels, and the DesktopSize pseudo-encoding). */
export const Encoding = { raw: 0, desktopSize: -223 } as const;

/** How the client sends bytes; the transport pushes what it receives into the client's stream. */
export interface Wire {
  write(bytes: Buffer): void;
  close(): void;
}

export interface FrameResult {
  /** From sending the request to the last byte of the FramebufferUpdate. */
  ms: number;
  /** Bytes of the whole FramebufferUpdate message. */
  bytes: number;
  rects: number;
}

export interface RfbOptions {
  /** Encodings for SetEncodings; default Raw only. */
  encodings?: number[];
  /** Keep a copy of the screen in `pixels` (tests); off, the pixel bytes are only counted (the bench). */
  keepPixels?: boolean;
}

/**
 * A minimal RFB 3.8 viewer: security None, shared session, 32 bpp true colour, full-screen
 * FramebufferUpdateRequests and Raw rectangles. One client for every transport (unix socket or websocket).
 */
export class RfbClient {
  width = 0;
  height = 0;
  name = '';
  /** The server's ProtocolVersion line, e.g. `RFB 003.008\n`. */
  serverVersion = '';
  /** BGRX pixels, `width * height * 4` bytes, when `keepPixels` is on. */
  pixels: Buffer | undefined;
  readonly stream = new ByteStream();

  constructor(
    private readonly wire: Wire,
    private readonly opts: RfbOptions = {},
  ) {}

  /** Version, security None, ClientInit (shared), ServerInit, then SetPixelFormat and SetEncodings. */
  async handshake(): Promise<this> {
    const version = (await this.stream.read(12)).toString('latin1');
    this.serverVersion = version;
    if (!/^RFB 003\.00[78]\n$/.test(version))
      throw new Error(`not an RFB 3.8 server: ${JSON.stringify(version)}`);
    this.wire.write(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await this.stream.read(1)).readUInt8(0);
    if (count === 0) throw new Error(`server refused: ${await this.reason()}`);
    const types = [...(await this.stream.read(count))];
    if (!types.includes(1)) throw new Error(`no security type None offered (got ${types.join(',')})`);
    this.wire.write(Buffer.of(1));
    if ((await this.stream.read(4)).readUInt32BE(0) !== 0)
      throw new Error(`security failed: ${await this.reason()}`);
    this.wire.write(Buffer.of(1)); // ClientInit: shared
    const init = await this.stream.read(24);
    this.resize(init.readUInt16BE(0), init.readUInt16BE(2));
    this.name = (await this.stream.read(init.readUInt32BE(20))).toString('utf8');
    this.wire.write(setPixelFormat32());
    this.wire.write(setEncodings(this.opts.encodings ?? [Encoding.raw]));
    return this;
  }

  /** Requests the whole screen (non-incremental unless told) and reads until one FramebufferUpdate is in. */
  async frame(incremental = false): Promise<FrameResult> {
    const t0 = performance.now();
    this.wire.write(updateRequest(incremental, this.width, this.height));
    for (;;) {
      const type = (await this.stream.read(1)).readUInt8(0);
      if (type === 0) break;
      await this.otherMessage(type);
    }
    const head = await this.stream.read(3);
    const rects = head.readUInt16BE(1);
    let bytes = 4 + 12 * rects;
    for (let i = 0; i < rects; i++) {
      const r = await this.stream.read(12);
      const [x, y, w, h] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6)];
      const encoding = r.readInt32BE(8);
      if (encoding === Encoding.desktopSize) {
        this.resize(w, h);
      } else if (encoding === Encoding.raw) {
        bytes += w * h * 4;
        await this.stream.skip(w * h * 4, this.pixels ? this.rectWriter(x, y, w) : undefined);
      } else {
        throw new Error(`unexpected encoding ${encoding}`);
      }
    }
    return { ms: performance.now() - t0, bytes, rects };
  }

  close(): void {
    this.stream.end(new Error('closed'));
    this.wire.close();
  }

  /** Bell, SetColourMapEntries and ServerCutText: read and dropped. */
  private async otherMessage(type: number): Promise<void> {
    if (type === 2) return;
    if (type === 1) {
      const h = await this.stream.read(5);
      await this.stream.skip(h.readUInt16BE(3) * 6);
    } else if (type === 3) {
      await this.stream.skip((await this.stream.read(7)).readUInt32BE(3));
    } else {
      throw new Error(`unknown server message type ${type}`);
    }
  }

  private async reason(): Promise<string> {
    const len = (await this.stream.read(4)).readUInt32BE(0);
    return (await this.stream.read(len)).toString('utf8');
  }

  private resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    if (this.opts.keepPixels) this.pixels = Buffer.alloc(width * height * 4);
  }

  /** Copies a Raw rectangle's bytes, arriving in arbitrary pieces, into the screen copy. */
  private rectWriter(x: number, y: number, w: number): (b: Buffer) => void {
    const rowBytes = w * 4;
    let offset = 0;
    return (b) => {
      const screen = this.pixels;
      if (!screen) return;
      let pos = 0;
      while (pos < b.length) {
        const row = Math.floor(offset / rowBytes);
        const col = offset % rowBytes;
        const n = Math.min(b.length - pos, rowBytes - col);
        const dst = ((y + row) * this.width + x) * 4 + col;
        if (dst + n <= screen.length) b.copy(screen, dst, pos, pos + n);
        pos += n;
        offset += n;
      }
    };
  }
}

function setPixelFormat32(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt8(0, 0);
  // bpp 32, depth 24, little endian, true colour, max 255/255/255, shifts 16/8/0 (BGRX in memory)
  Buffer.of(32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0).copy(b, 4);
  return b;
}

function setEncodings(encodings: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * encodings.length);
  b.writeUInt8(2, 0);
  b.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
  return b;
}

function updateRequest(incremental: boolean, width: number, height: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt8(3, 0);
  b.writeUInt8(incremental ? 1 : 0, 1);
  b.writeUInt16BE(width, 6);
  b.writeUInt16BE(height, 8);
  return b;
}

/** An RFB client over an open or opening websocket (binary messages carry the RFB byte stream). */
export async function rfbOverWebSocket(ws: WebSocket, opts?: RfbOptions): Promise<RfbClient> {
  const client = new RfbClient({ write: (b) => ws.send(b), close: () => ws.close() }, opts);
  ws.on('message', (data: Buffer) => client.stream.push(data));
  ws.on('error', (err) => client.stream.end(err));
  ws.on('close', (code, reason) =>
    client.stream.end(new Error(`websocket closed ${code} ${reason.toString()}`)),
  );
  if (ws.readyState === WebSocket.CONNECTING) {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
  }
  return client.handshake();
}
