import net from 'node:net';
import { virtwebLine } from './serial-log.ts';

/** Bytes of serial output kept for replay when a console connects. */
export const SERIAL_SCROLLBACK_BYTES = 64 * 1024;

type Listener = (chunk: Buffer) => void;

/** Where serial output is kept besides the scrollback (the guest's log on disk). */
export interface SerialSink {
  append(chunk: Buffer): void;
}

/** One console's way of typing into the guest's serial port. */
export interface SerialInput {
  /**
   * Queues bytes for the guest; false when they could not all go into the socket yet: the console should
   * stop sending until its `drained` callback runs.
   */
  write(data: Buffer): boolean;
  /** Forgets what this console still has queued (it is gone). */
  close(): void;
}

interface QueuedInput {
  from: object;
  data: Buffer;
}

/**
 * The server's one connection to a guest's serial.sock (qemu's socket chardev takes a single client), with
 * the last 64 KiB kept for replay and live output fanned out to every console. Input from the consoles is
 * queued here rather than in the socket while the guest does not read, so that a console that leaves takes
 * its queued input with it.
 */
export class SerialBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly listeners = new Set<Listener>();
  private socket: net.Socket | undefined;
  private queue: QueuedInput[] = [];
  /** The `drained` callbacks of the consoles told to wait. */
  private readonly waiting = new Map<object, () => void>();

  constructor(private readonly sink?: SerialSink) {}

  /** Fills the scrollback with output from before (not logged again, not sent to consoles). */
  seed(output: Buffer): void {
    if (output.length > 0) this.keep(output);
  }

  /** A line of virtweb's own in the output: shown to consoles and kept like guest output. */
  note(text: string): void {
    this.push(virtwebLine(text));
  }

  /** Connects to the socket; resolves once connected. @throws Error when the socket cannot be reached. */
  async attach(socketPath: string): Promise<void> {
    const socket = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    socket.on('drain', () => this.pump());
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.pump();
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

  /** Input for one console; `drained` runs after a `write` returned false, once its input went out. */
  input(drained: () => void): SerialInput {
    const from = {};
    return {
      write: (data) => {
        this.queue.push({ from, data });
        this.pump();
        if (this.queue.length === 0) return true;
        this.waiting.set(from, drained);
        return false;
      },
      close: () => {
        this.queue = this.queue.filter((q) => q.from !== from);
        this.waiting.delete(from);
        this.pump();
      },
    };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.listeners.clear();
    this.queue = [];
    this.waiting.clear();
  }

  /** Moves queued input into the socket while it takes more; wakes the waiting consoles once all went. */
  private pump(): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) this.queue = []; // no guest to type into
    while (socket && !socket.destroyed && !socket.writableNeedDrain) {
      const next = this.queue.shift();
      if (!next) break;
      socket.write(next.data);
    }
    if (this.queue.length > 0) return;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const drained of waiting) drained();
  }

  push(chunk: Buffer): void {
    this.sink?.append(chunk);
    this.keep(chunk);
    for (const l of this.listeners) l(chunk);
  }

  /** Adds to the scrollback, dropping the oldest bytes beyond its size. */
  private keep(chunk: Buffer): void {
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
  }
}
