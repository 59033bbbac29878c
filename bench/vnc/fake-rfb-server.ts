import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { ByteStream } from '../../apps/server/test/byte-stream.ts';

/**
 * An RFB 3.8 server on a unix socket that answers every non-incremental FramebufferUpdateRequest at once with
 * a whole-screen Raw frame (one prebuilt buffer, written as is): the transport ceiling for the benchmark.
 * Incremental requests are not answered.
 */
export class FakeRfbServer {
  private readonly server: net.Server;
  private readonly frame: Buffer;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly socketPath: string,
    readonly width = 1280,
    readonly height = 1024,
  ) {
    const pixels = width * height * 4;
    this.frame = Buffer.alloc(16 + pixels);
    this.frame.writeUInt16BE(1, 2); // FramebufferUpdate, one rectangle
    this.frame.writeUInt16BE(width, 8);
    this.frame.writeUInt16BE(height, 10); // x = y = 0, encoding 0 = Raw
    crypto.randomFillSync(this.frame, 16, pixels);
    this.server = net.createServer((sock) => void this.serve(sock));
  }

  listen(): Promise<this> {
    fs.rmSync(this.socketPath, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve(this));
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(sock: net.Socket): Promise<void> {
    this.sockets.add(sock);
    const stream = new ByteStream();
    sock.on('data', (c: Buffer) => stream.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.sockets.delete(sock);
      stream.end(new Error('closed'));
    });
    try {
      sock.write('RFB 003.008\n');
      await stream.read(12);
      sock.write(Buffer.of(1, 1)); // one security type: None
      await stream.read(1);
      sock.write(Buffer.alloc(4)); // SecurityResult OK
      await stream.read(1); // ClientInit
      const name = Buffer.from('fake');
      const init = Buffer.alloc(24 + name.length);
      init.writeUInt16BE(this.width, 0);
      init.writeUInt16BE(this.height, 2);
      Buffer.of(32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0).copy(init, 4);
      init.writeUInt32BE(name.length, 20);
      name.copy(init, 24);
      sock.write(init);
      for (;;) await this.message(sock, stream);
    } catch {
      sock.destroy();
    }
  }

  private async message(sock: net.Socket, stream: ByteStream): Promise<void> {
    const type = (await stream.read(1)).readUInt8(0);
    switch (type) {
      case 0: // SetPixelFormat (we only ever send 32 bpp BGRX)
        await stream.read(19);
        return;
      case 2: // SetEncodings
        await stream.skip((await stream.read(3)).readUInt16BE(1) * 4);
        return;
      case 3: // FramebufferUpdateRequest
        if ((await stream.read(9)).readUInt8(0) === 0) sock.write(this.frame);
        return;
      case 4: // KeyEvent
        await stream.read(7);
        return;
      case 5: // PointerEvent
        await stream.read(5);
        return;
      case 6: // ClientCutText
        await stream.skip((await stream.read(7)).readUInt32BE(3));
        return;
      default:
        throw new Error(`unknown client message ${type}`);
    }
  }
}
