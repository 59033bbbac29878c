import net from 'node:net';

/** Bytes of serial output kept for replay when a console connects. */
export const SERIAL_SCROLLBACK_BYTES = 64 * 1024;

type Listener = (chunk: Buffer) => void;

/**
 * The server's one connection to a guest's serial.sock (qemu's socket chardev takes a single client), with
 * the last 64 KiB kept for replay and live output fanned out to every console.
 */
export class SerialBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly listeners = new Set<Listener>();
  private socket: net.Socket | undefined;

  /** Connects to the socket; resolves once connected. @throws Error when the socket cannot be reached. */
  async attach(socketPath: string): Promise<void> {
    const socket = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    this.socket = socket;
  }

  /** Everything still in the scrollback, oldest first. */
  scrollback(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  /** Live output; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Types into the guest's serial port; false when the connection is gone. */
  write(data: Buffer | string): boolean {
    if (!this.socket || this.socket.destroyed) return false;
    this.socket.write(data);
    return true;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.listeners.clear();
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > SERIAL_SCROLLBACK_BYTES) {
      const first = this.chunks[0];
      if (!first) break;
      const excess = this.size - SERIAL_SCROLLBACK_BYTES;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
    for (const l of this.listeners) l(chunk);
  }
}
