// A scriptable stand-in for qemu's QMP socket, for tests of this package and of its users (import it by
// relative path; it is deliberately not part of the package's public surface).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isRecord, type QmpGreeting } from '../message.ts';

/** A command as the fake received it (`id` echoed back verbatim, as qemu does). */
export type ReceivedCommand = { execute: string; arguments?: Record<string, unknown>; id?: unknown };

/** What to answer: a `return` value, a qemu error, or nothing at all (to test timeouts and hang-ups). */
export type FakeReply = { return: unknown } | { error: { class: string; desc: string } } | 'noreply';

export type FakeHandler = (command: ReceivedCommand) => FakeReply | Promise<FakeReply>;

export type FakeQmpServerOptions = {
  /** Sent on every new connection. `null` sends nothing; `{ raw }` sends those bytes as they are. */
  greeting?: QmpGreeting | { raw: string } | null;
  /** Split every outgoing write into chunks of these sizes (cycled), yielding to the event loop in between. */
  chunkSizes?: number[];
};

export const DEFAULT_GREETING: QmpGreeting = {
  QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'fake' }, capabilities: ['oob'] },
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Splits client input the way qemu reads it: JSON objects back to back, with or without whitespace between. */
class JsonObjectSplitter {
  readonly #text = new StringDecoder('utf8');
  #buffer = '';
  #scanned = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  push(chunk: Buffer): string[] {
    this.#buffer += this.#text.write(chunk);
    const objects: string[] = [];
    let start = 0;
    for (let i = this.#scanned; i < this.#buffer.length; i++) {
      const ch = this.#buffer[i];
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (ch === '\\') this.#escaped = true;
        else if (ch === '"') this.#inString = false;
      } else if (ch === '"') this.#inString = true;
      else if (ch === '{' || ch === '[') this.#depth++;
      else if ((ch === '}' || ch === ']') && --this.#depth === 0) {
        objects.push(this.#buffer.slice(start, i + 1).trim());
        start = i + 1;
      }
    }
    this.#buffer = this.#buffer.slice(start);
    this.#scanned = this.#buffer.length;
    return objects;
  }
}

/** Fake QMP server on a unix socket in a fresh temp dir. Always `close()` it (e.g. in afterEach). */
export class FakeQmpServer {
  readonly socketPath: string;
  /** Every command received, in order, across connections. */
  readonly received: ReceivedCommand[] = [];
  /** Mutable so a test can change the split pattern mid-session; empty means whole writes. */
  chunkSizes: number[];
  readonly #dir: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #handlers = new Map<string, FakeHandler>();
  readonly #waiters = new Set<() => void>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(dir: string, options: FakeQmpServerOptions) {
    this.#dir = dir;
    this.socketPath = join(dir, 'qmp.sock');
    this.chunkSizes = options.chunkSizes ?? [];
    const greeting = options.greeting === undefined ? DEFAULT_GREETING : options.greeting;
    this.handle('qmp_capabilities', { return: {} });
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined); // the client under test may reset the connection
      const splitter = new JsonObjectSplitter();
      socket.on('data', (chunk: Buffer) => {
        for (const text of splitter.push(chunk)) void this.#onCommand(socket, text);
      });
      this.#notify();
      if (greeting === null) return;
      const text = 'raw' in greeting ? greeting.raw : `${JSON.stringify(greeting)}\r\n`;
      void this.#enqueue(Buffer.from(text, 'utf8'), [socket]);
    });
  }

  static async start(options: FakeQmpServerOptions = {}): Promise<FakeQmpServer> {
    const dir = await mkdtemp(join(tmpdir(), 'virtweb-fake-qmp-'));
    const fake = new FakeQmpServer(dir, options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(fake.socketPath, resolve);
    });
    return fake;
  }

  /** Number of client connections currently open. */
  get connectionCount(): number {
    return this.#sockets.size;
  }

  /** Scripts the answer to `command` (replacing earlier scripts). Unscripted commands get CommandNotFound. */
  handle(command: string, reply: FakeHandler | FakeReply): this {
    this.#handlers.set(command, typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  /** Resolves with the `count`-th received command named `command` (waiting for it if needed). */
  async waitForCommand(command: string, count = 1): Promise<ReceivedCommand> {
    await this.#until(() => this.received.filter((c) => c.execute === command).length >= count);
    const matches = this.received.filter((c) => c.execute === command);
    const match = matches[count - 1];
    if (!match) throw new Error(`unreachable: ${command} #${count} missing`);
    return match;
  }

  /** Resolves once at least one client is connected. */
  waitForConnection(): Promise<void> {
    return this.#until(() => this.#sockets.size > 0);
  }

  /** Writes the messages as one buffer (several messages in one write, one per `\r\n` line). */
  send(...messages: unknown[]): Promise<void> {
    return this.sendRaw(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(''));
  }

  /** Sends an event to every connected client; `data` is omitted when undefined, as qemu does. */
  emitEvent(event: string, data?: Record<string, unknown>): Promise<void> {
    const now = Date.now();
    const timestamp = { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 };
    return this.send(data === undefined ? { timestamp, event } : { timestamp, event, data });
  }

  /** Writes bytes verbatim to every connected client, honouring `chunkSizes`. Writes never interleave. */
  sendRaw(data: string | Buffer): Promise<void> {
    return this.#enqueue(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, this.#sockets);
  }

  /** Drops every client connection, like qemu dying. */
  hangUp(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.hangUp();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.#dir, { recursive: true, force: true });
  }

  #enqueue(bytes: Buffer, targets: Iterable<Socket>): Promise<void> {
    const sockets = [...targets];
    this.#writes = this.#writes.then(() => this.#write(bytes, sockets));
    return this.#writes;
  }

  async #write(bytes: Buffer, sockets: Socket[]): Promise<void> {
    const sizes = this.chunkSizes.filter((n) => n > 0);
    if (sizes.length === 0) sizes.push(bytes.length);
    for (let offset = 0, i = 0; offset < bytes.length; i++) {
      const size = sizes[i % sizes.length] ?? bytes.length;
      for (const socket of sockets)
        if (!socket.destroyed) socket.write(bytes.subarray(offset, offset + size));
      offset += size;
      if (offset < bytes.length) await yieldToEventLoop();
    }
  }

  async #onCommand(socket: Socket, line: string): Promise<void> {
    const parsed: unknown = JSON.parse(line);
    if (!isRecord(parsed) || typeof parsed.execute !== 'string')
      throw new Error(`fake QMP: bad command ${line}`);
    const command: ReceivedCommand = { execute: parsed.execute };
    if (isRecord(parsed.arguments)) command.arguments = parsed.arguments;
    if ('id' in parsed) command.id = parsed.id;
    this.received.push(command);
    this.#notify();
    const handler = this.#handlers.get(command.execute);
    const reply: FakeReply = handler
      ? await handler(command)
      : { error: { class: 'CommandNotFound', desc: `The command ${command.execute} has not been found` } };
    if (reply === 'noreply') return;
    const message = 'id' in command ? { ...reply, id: command.id } : reply;
    await this.#enqueue(Buffer.from(`${JSON.stringify(message)}\r\n`, 'utf8'), [socket]);
  }

  #until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
