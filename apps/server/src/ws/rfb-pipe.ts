import net from 'node:net';
import type { WebSocket } from 'ws';
import { ByteRing } from './byte-ring.ts';
import { WsClose } from './close-codes.ts';

export interface RfbPipeOptions {
  /** The most bytes read from the unix socket and not yet written towards the viewer (the ring's size). */
  highWaterBytes?: number;
  /** A viewer that keeps the ring full this long is dropped with 4408. */
  stallTimeoutMs?: number;
  /** The close code and reason for the viewer when the unix side closes or cannot be reached. */
  targetEnded?: (error: NodeJS.ErrnoException | undefined) => Promise<ViewerClose> | ViewerClose;
  /** What of the viewer's bytes reaches qemu (a view-only viewer's filter); an error text ends the session (1008). */
  viewerFilter?: (data: Buffer) => Buffer | string;
}

export interface ViewerClose {
  code: number;
  reason: string;
}

/** Why a pipe ended: the unix side closed or failed, the viewer left, or the viewer was too slow. */
export type PipeEnd =
  | { by: 'target'; error?: NodeJS.ErrnoException }
  | { by: 'viewer' }
  | { by: 'stall' }
  | { by: 'closed'; code: number; reason: string };

/** Counters for tests and the benchmark. */
export interface PipeStats {
  bytesToViewer: number;
  bytesToTarget: number;
  messagesToViewer: number;
  /** The most bytes ever read from the unix socket and not yet handed to the kernel towards the viewer. */
  maxQueuedBytes: number;
}

/**
 * Small enough that the bytes stay in the CPU cache between the read and the TCP write (a 2 MiB ring cost
 * measurably more kernel time per byte), large enough that a viewer whose TCP connection is momentarily full
 * does not stop the unix side at once; the kernel's socket buffers hold the rest.
 */
const DEFAULT_RING_BYTES = 512 * 1024;
/** Below this much free room the ring is as good as full: smaller reads would only cost more syscalls. */
const MIN_READ_BYTES = 64 * 1024;
const SEND_OPTS = { binary: true, compress: false, fin: true } as const;
/** Connects refused with EAGAIN (qemu's listen backlog full) are tried this often, waiting 5, 10, 15... ms. */
const CONNECT_ATTEMPTS = 20;
const CONNECT_RETRY_MS = 5;
/** How long a dropped viewer gets to take our close frame before its TCP connection is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Pipes a viewer's websocket to a unix stream socket (RFB both ways, binary frames).
 *
 * Fast path, measured with `npm run bench`: the unix socket is read with `onread` straight into a ring
 * buffer, and every websocket message is a subarray of the ring (no copy, no Buffer.concat, no allocation).
 * While a message is still on its way to the kernel, the reads behind it are held back and, being adjacent
 * in the ring, go out together as one larger message.
 *
 * Backpressure: the ring is the bound. When it is full the unix socket is no longer read (only this viewer's
 * connection waits: qemu throttles that one client, never the guest or other viewers), and a viewer that
 * keeps it full for `stallTimeoutMs` is dropped.
 */
export class RfbPipe {
  readonly stats: PipeStats = { bytesToViewer: 0, bytesToTarget: 0, messagesToViewer: 0, maxQueuedBytes: 0 };
  readonly done: Promise<PipeEnd>;

  private readonly ring: ByteRing;
  private readonly stallMs: number;
  private readonly targetEnded: NonNullable<RfbPipeOptions['targetEnded']>;
  private readonly viewerFilter: RfbPipeOptions['viewerFilter'];
  private sock: net.Socket;
  /** Read but not yet sent: runs of adjacent bytes, each one future websocket message. */
  private held: Buffer[] = [];
  private inFlight = 0;
  private paused = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private finish!: (end: PipeEnd) => void;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    socketPath: string,
    opts: RfbPipeOptions = {},
  ) {
    this.ring = new ByteRing(opts.highWaterBytes ?? DEFAULT_RING_BYTES);
    this.stallMs = opts.stallTimeoutMs ?? 15_000;
    this.targetEnded = opts.targetEnded ?? defaultTargetEnded;
    this.viewerFilter = opts.viewerFilter;
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.sock = this.connect(socketPath, 1);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.fromViewer(data, isBinary));
    ws.on('close', () => this.end({ by: 'viewer' }));
    ws.on('error', () => this.end({ by: 'viewer' }));
  }

  /**
   * NOTE: qemu listens on its VNC socket with a backlog of 1: viewers connecting in the same moment (a page
   * with several consoles, reconnects after a server restart) get EAGAIN. Such a connect is tried again after
   * a short wait; nothing was written to it (the viewer speaks only after the server's RFB greeting).
   */
  private connect(socketPath: string, attempt: number): net.Socket {
    const sock = net.createConnection({
      path: socketPath,
      onread: { buffer: () => this.ring.writable(), callback: (n) => this.onRead(n) },
    });
    let retrying = false;
    sock.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EAGAIN' && attempt < CONNECT_ATTEMPTS && !this.ended) {
        retrying = true;
        setTimeout(() => {
          if (!this.ended) this.sock = this.connect(socketPath, attempt + 1);
        }, CONNECT_RETRY_MS * attempt);
        return;
      }
      this.end({ by: 'target', error });
    });
    sock.on('close', () => {
      if (!retrying) this.end({ by: 'target' });
    });
    sock.on('drain', () => this.ws.resume());
    return sock;
  }

  /** Closes both sides; the websocket gets `code` and `reason` after what is already queued for it. */
  close(code: number, reason: string): void {
    this.end({ by: 'closed', code, reason });
  }

  private onRead(n: number): boolean {
    const chunk = this.ring.filled(n);
    if (this.ended) return false;
    if (this.inFlight === 0) this.send(chunk);
    else this.hold(chunk);
    const queued = this.ring.used;
    if (queued > this.stats.maxQueuedBytes) this.stats.maxQueuedBytes = queued;
    // Full, or too little room left for a useful read: wait for the viewer.
    if (queued > this.ring.capacity - MIN_READ_BYTES && !this.paused) this.pause();
    return true;
  }

  private hold(chunk: Buffer): void {
    const last = this.held.at(-1);
    if (last && this.ring.adjacent(last, chunk))
      this.held[this.held.length - 1] = this.ring.merge(last, chunk);
    else this.held.push(chunk);
  }

  private send(chunk: Buffer): void {
    this.inFlight++;
    this.stats.bytesToViewer += chunk.length;
    this.stats.messagesToViewer++;
    const sending = { chunk, done: false };
    // The callback runs once the bytes are in the kernel: only then may the ring reuse them.
    this.ws.send(chunk, SEND_OPTS, () => this.sent(sending));
    // Usually the kernel took it all right away (nothing left queued in the socket): release now rather than
    // a tick later, so the next read lands on the same, cache-hot start of the ring.
    if (this.ws.bufferedAmount === 0) this.sent(sending);
  }

  private sent(sending: { chunk: Buffer; done: boolean }): void {
    if (sending.done) return;
    sending.done = true;
    this.inFlight--;
    if (this.ended) return;
    this.ring.release(sending.chunk);
    if (this.inFlight === 0 && this.held.length > 0) {
      const runs = this.held;
      this.held = [];
      for (const run of runs) this.send(run);
    }
    if (this.paused && this.ring.used <= this.ring.capacity / 2) this.unpause();
  }

  private pause(): void {
    this.paused = true;
    this.sock.pause();
    this.stallTimer = setTimeout(() => this.end({ by: 'stall' }), this.stallMs);
  }

  private unpause(): void {
    this.paused = false;
    clearTimeout(this.stallTimer);
    this.sock.resume();
  }

  private fromViewer(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.close(1003, 'binary RFB frames only');
      return;
    }
    const passed = this.viewerFilter ? this.viewerFilter(data) : data;
    if (typeof passed === 'string') {
      this.close(1008, passed);
      return;
    }
    if (passed.length === 0) return;
    this.stats.bytesToTarget += passed.length;
    // A viewer sending faster than qemu reads (pasting, pointer floods) waits for the unix socket to drain.
    if (!this.sock.destroyed && !this.sock.write(passed)) this.ws.pause();
  }

  private end(end: PipeEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.stallTimer);
    this.held = [];
    this.sock.destroy();
    this.finish(end);
    if (end.by === 'closed') this.closeViewer(end);
    else if (end.by === 'stall')
      this.closeViewer({ code: WsClose.tooSlow, reason: 'viewer too slow: reconnect' });
    else if (end.by === 'target') {
      void Promise.resolve(this.targetEnded(end.error)).then((close) => this.closeViewer(close));
    }
  }

  private closeViewer({ code, reason }: ViewerClose): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    ws.close(code, reason);
    // A viewer that does not read never takes the close frame: cut it after a grace period.
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}

function defaultTargetEnded(error: NodeJS.ErrnoException | undefined): ViewerClose {
  if (error?.code === 'ENOENT' || error?.code === 'ECONNREFUSED') {
    return { code: WsClose.wrongState, reason: 'VNC server not reachable: guest not running' };
  }
  return {
    code: 1011,
    reason: error ? `VNC connection failed: ${error.message}` : 'VNC server closed the connection',
  };
}
