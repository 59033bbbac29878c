import net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  decodeError,
  encodePacket,
  LibvirtError,
  MessageStatus,
  MessageType,
  PacketDecoder,
  PROTOCOL_VERSION,
  type Packet,
} from './wire.ts';
import { XdrReader } from './xdr.ts';

interface PendingCall {
  resolve: (body: XdrReader) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** What one open stream (a console) receives: data, then its end or an error. */
export interface StreamSink {
  data(chunk: Buffer): void;
  end(err?: LibvirtError): void;
}

type EventHandler = (body: XdrReader) => void;

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * One connection to a libvirt daemon speaking its remote protocol: calls matched to replies by serial, events
 * (`message` packets) handed to the handler of their procedure, streams (consoles) to their sink. A dropped
 * connection fails every pending call; the client is not reused after that.
 */
export class RpcClient {
  private readonly decoder = new PacketDecoder();
  private readonly pending = new Map<number, PendingCall>();
  private readonly streams = new Map<number, StreamSink>();
  private readonly events = new Map<string, EventHandler>();
  private readonly closeListeners = new Set<(err: Error | undefined) => void>();
  private nextSerial = 1;
  private closedWith: Error | undefined;

  private constructor(private readonly sock: Duplex) {
    sock.on('data', (chunk: Buffer) => {
      let packets: Packet[];
      try {
        packets = this.decoder.push(chunk);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      for (const p of packets) this.dispatch(p);
    });
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.fail(new Error('the connection to libvirt closed')));
  }

  /** Connects to a daemon's unix socket. @throws the socket's error (ENOENT, ECONNREFUSED, EACCES) */
  static connectUnix(socketPath: string): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(socketPath);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new RpcClient(sock));
      });
    });
  }

  /** A client over an already connected stream (a tunnel's stdio, a TLS socket). */
  static over(stream: Duplex): RpcClient {
    return new RpcClient(stream);
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /**
   * Calls `procedure` of `program` with an XDR body and resolves to the reply's body.
   * @throws LibvirtError (libvirt's refusal), Error (connection gone, no reply within the time limit)
   */
  call(
    program: number,
    procedure: number,
    body: Buffer,
    timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ): Promise<XdrReader> {
    return this.callWithSerial(program, procedure, body, this.nextSerial, timeoutMs);
  }

  /**
   * Calls a procedure that opens a stream (a console): data arriving for it goes to `sink` from the moment the
   * call is sent. Returns the stream's serial, for {@link streamSend} and {@link streamFinish}.
   */
  async openStream(program: number, procedure: number, body: Buffer, sink: StreamSink): Promise<number> {
    const serial = this.nextSerial;
    this.streams.set(serial, sink);
    try {
      await this.callWithSerial(program, procedure, body, serial);
    } catch (err) {
      this.streams.delete(serial);
      throw err;
    }
    return serial;
  }

  private callWithSerial(
    program: number,
    procedure: number,
    body: Buffer,
    serial: number,
    timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ): Promise<XdrReader> {
    this.nextSerial = serial + 1;
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        reject(new Error(`libvirt did not answer procedure ${procedure} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(serial, { resolve, reject, timer });
      this.send(program, procedure, MessageType.call, serial, MessageStatus.ok, body);
    });
  }

  /** Sends bytes into an open stream. */
  streamSend(program: number, procedure: number, serial: number, data: Buffer): void {
    if (!this.closedWith)
      this.send(program, procedure, MessageType.stream, serial, MessageStatus.continue, data);
  }

  /** Ends an open stream from this side. */
  streamFinish(program: number, procedure: number, serial: number): void {
    this.streams.delete(serial);
    if (!this.closedWith)
      this.send(program, procedure, MessageType.stream, serial, MessageStatus.ok, Buffer.alloc(0));
  }

  /** Hands every event (`message` packet) of `procedure` to `handler`. */
  onEvent(program: number, procedure: number, handler: EventHandler): void {
    this.events.set(`${program}:${procedure}`, handler);
  }

  onClose(listener: (err: Error | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.sock.destroy();
    this.fail(new Error('the connection to libvirt was closed'));
  }

  private send(
    program: number,
    procedure: number,
    type: number,
    serial: number,
    status: number,
    body: Buffer,
  ): void {
    this.sock.write(
      encodePacket({ program, version: PROTOCOL_VERSION, procedure, type, serial, status }, body),
    );
  }

  private dispatch({ header, body }: Packet): void {
    if (header.type === MessageType.reply) {
      const call = this.pending.get(header.serial);
      if (!call) return;
      this.pending.delete(header.serial);
      clearTimeout(call.timer);
      if (header.status === MessageStatus.ok) call.resolve(new XdrReader(body));
      else call.reject(decodeError(body));
    } else if (header.type === MessageType.message) {
      this.events.get(`${header.program}:${header.procedure}`)?.(new XdrReader(body));
    } else if (header.type === MessageType.stream) {
      const sink = this.streams.get(header.serial);
      if (!sink) return;
      if (header.status === MessageStatus.continue) sink.data(body);
      else {
        this.streams.delete(header.serial);
        sink.end(header.status === MessageStatus.error ? decodeError(body) : undefined);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.sock.destroy();
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(err);
    }
    this.pending.clear();
    for (const sink of this.streams.values()) sink.end(new LibvirtError(err.message, -1, -1));
    this.streams.clear();
    for (const l of this.closeListeners) l(err);
    this.closeListeners.clear();
  }
}
