// One QMP connection to one qemu process: handshake, id-matched commands, typed events, clean teardown.
import { createConnection, type Socket } from 'node:net';
import {
  QmpClosedError,
  QmpConnectionError,
  QmpError,
  QmpExecuteError,
  QmpInterruptedError,
  QmpProtocolError,
  QmpTimeoutError,
} from './errors.ts';
import { encodeCommand, LineDecoder, parseMessage, type QmpGreeting, type QmpInbound } from './message.ts';
import {
  takesNoArgs,
  type ArgsParam,
  type QmpCommandName,
  type QmpCommandReturn,
  type QmpExecuteOptions,
} from './commands.ts';
import type { QmpEventMessage, QmpEventName } from './events.ts';
import { Listeners, type Listener } from './listeners.ts';

export type QmpClientState = 'connecting' | 'negotiating' | 'ready' | 'closed';
export type QmpConnectOptions = { timeoutMs?: number };

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const MAX_TIMER_MS = 2 ** 31 - 1;

const TRANSITIONS: Record<QmpClientState, readonly QmpClientState[]> = {
  connecting: ['negotiating', 'closed'],
  negotiating: ['ready', 'closed'],
  ready: ['closed'],
  closed: [],
};

type PendingCall = {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
};
type Handshake = { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`timeoutMs must be in (0, ${MAX_TIMER_MS}], got ${timeoutMs}`);
  }
}

/** A connected, negotiated QMP session. Obtain one with {@link QmpClient.connect}. */
export class QmpClient {
  /** The unix socket this client is connected to. */
  readonly socketPath: string;
  #state: QmpClientState = 'connecting';
  #greeting: QmpGreeting | undefined;
  #handshake: Handshake | undefined;
  readonly #socket: Socket;
  readonly #decoder = new LineDecoder();
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;
  readonly #listeners = new Listeners();
  #socketError: Error | undefined;
  #closeError: Error | undefined;
  readonly #socketClosed: Promise<void>;

  private constructor(socketPath: string, handshake: Handshake) {
    this.socketPath = socketPath;
    this.#handshake = handshake;
    let markClosed!: () => void;
    this.#socketClosed = new Promise((resolve) => (markClosed = resolve));
    this.#socket = createConnection(socketPath);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Recorded only: 'close' always follows 'error', and a listener here keeps a dying qemu from crashing us.
    this.#socket.on('error', (err) => (this.#socketError ??= err));
    this.#socket.on('close', () => {
      this.#terminate(this.#socketError);
      markClosed();
      this.#listeners.emit('close', this.#closeError);
      this.#listeners.clear();
    });
  }

  /**
   * Connects to qemu's QMP socket, reads the greeting and negotiates `qmp_capabilities`.
   * @param opts.timeoutMs - limit for the whole handshake (default 5000).
   * @throws {QmpConnectionError} missing socket (`code` ENOENT), nobody listening (ECONNREFUSED), handshake
   *   timeout (ETIMEDOUT), a bad greeting or a refused negotiation.
   * @throws {RangeError} for a non-positive or oversized `timeoutMs`.
   */
  static connect(socketPath: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise<QmpClient>((resolve, reject) => {
      checkTimeout(timeoutMs);
      const timer = setTimeout(() => {
        const msg = `no QMP handshake within ${timeoutMs} ms`;
        client.#terminate(new QmpConnectionError(msg, socketPath, { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const client: QmpClient = new QmpClient(socketPath, { resolve: () => resolve(client), reject, timer });
    });
  }

  /** qemu's greeting (version and capabilities). */
  get greeting(): QmpGreeting {
    // Unreachable for callers: connect() hands out the client only after the greeting arrived.
    if (!this.#greeting) throw new QmpError('QMP greeting not received yet');
    return this.#greeting;
  }

  get state(): QmpClientState {
    return this.#state;
  }

  /**
   * Runs a command from the typed map and resolves to its `return` member.
   * @example client.execute('query-status'); client.execute('device_del', { id: 'nic0' }, { timeoutMs: 2000 })
   * @throws {QmpExecuteError} qemu answered with an error.
   * @throws {QmpInterruptedError} the connection closed before the reply.
   * @throws {QmpTimeoutError} no reply within `timeoutMs`.
   * @throws {QmpClosedError} the client was already closed.
   */
  execute<C extends QmpCommandName>(command: C, ...rest: ArgsParam<C>): Promise<QmpCommandReturn<C>> {
    const [first, second] = rest as readonly unknown[];
    const [args, opts] = takesNoArgs(command) ? [undefined, first] : [first, second];
    return this.#call(command, args as Record<string, unknown> | undefined, opts as QmpExecuteOptions);
  }

  /**
   * Escape hatch for commands missing from the typed map; same id matching and errors as {@link execute}.
   * @throws {QmpExecuteError | QmpInterruptedError | QmpTimeoutError | QmpClosedError} as for `execute`.
   */
  executeUnknown(
    command: string,
    args?: Record<string, unknown>,
    opts?: QmpExecuteOptions,
  ): Promise<unknown> {
    return this.#call(command, args, opts);
  }

  /**
   * Listens to one typed event, to every event (`'event'`), or to the end of the connection (`'close'`, once,
   * with the error that ended it: undefined after close() or a clean hang-up such as `quit`). A `'close'`
   * listener added after the client closed never fires; check {@link state}. Listeners must not throw: an
   * exception is rethrown outside the socket handler, i.e. uncaught, as with EventEmitter.
   */
  on<E extends QmpEventName>(event: E, listener: (e: QmpEventMessage<E>) => void): this;
  on(event: 'event', listener: (e: QmpEventMessage) => void): this;
  on(event: 'close', listener: (err?: Error) => void): this;
  on(event: string, listener: Listener): this {
    this.#listeners.add(event, listener, false);
    return this;
  }

  /** Like {@link on}, removed after the first call. */
  once<E extends QmpEventName>(event: E, listener: (e: QmpEventMessage<E>) => void): this;
  once(event: 'event', listener: (e: QmpEventMessage) => void): this;
  once(event: 'close', listener: (err?: Error) => void): this;
  once(event: string, listener: Listener): this {
    this.#listeners.add(event, listener, true);
    return this;
  }

  /** Removes a listener added with {@link on} or {@link once}. */
  off<E extends QmpEventName>(event: E, listener: (e: QmpEventMessage<E>) => void): this;
  off(event: 'event', listener: (e: QmpEventMessage) => void): this;
  off(event: 'close', listener: (err?: Error) => void): this;
  off(event: string, listener: Listener): this {
    this.#listeners.remove(event, listener);
    return this;
  }

  /**
   * Closes the socket; pending calls reject with {@link QmpInterruptedError}. Idempotent; resolves once the
   * socket is gone and `'close'` has been emitted. Never rejects.
   */
  close(): Promise<void> {
    this.#terminate(undefined);
    return this.#socketClosed;
  }

  #setState(next: QmpClientState): void {
    if (!TRANSITIONS[this.#state].includes(next)) {
      throw new QmpError(`illegal QMP client state transition: ${this.#state} -> ${next}`);
    }
    this.#state = next;
  }

  #call(
    command: string,
    args: Record<string, unknown> | undefined,
    opts?: QmpExecuteOptions,
  ): Promise<unknown> {
    if (this.#state !== 'ready') return Promise.reject(new QmpClosedError(command));
    return this.#send(command, args, opts?.timeoutMs);
  }

  #send(command: string, args: Record<string, unknown> | undefined, timeoutMs?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      checkTimeout(timeoutMs);
      const id = this.#nextId++;
      let line: string;
      try {
        line = encodeCommand(
          args === undefined ? { execute: command, id } : { execute: command, arguments: args, id },
        );
      } catch (cause) {
        throw new QmpError(`${command}: arguments are not JSON-serialisable`, { cause });
      }
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#pending.delete(id);
              reject(new QmpTimeoutError(command, timeoutMs));
            }, timeoutMs);
      this.#pending.set(id, { command, resolve, reject, timer });
      this.#socket.write(line);
    });
  }

  #onData(chunk: Buffer): void {
    try {
      for (const line of this.#decoder.push(chunk)) {
        if (this.#state === 'closed') return;
        this.#dispatch(parseMessage(line));
      }
    } catch (err) {
      if (!(err instanceof QmpProtocolError)) throw err;
      const greetingError = new QmpConnectionError(`bad QMP greeting: ${err.message}`, this.socketPath, {
        cause: err,
      });
      this.#terminate(this.#state === 'connecting' ? greetingError : err);
    }
  }

  #dispatch(msg: QmpInbound): void {
    if (this.#state === 'connecting' && msg.kind !== 'greeting') {
      throw new QmpProtocolError(`expected a greeting, got ${msg.kind}`);
    }
    switch (msg.kind) {
      case 'greeting':
        this.#onGreeting(msg.greeting);
        return;
      case 'event': {
        const event: QmpEventMessage = { event: msg.event, data: msg.data, timestamp: msg.timestamp };
        this.#listeners.emit(msg.event, event);
        this.#listeners.emit('event', event);
        return;
      }
      case 'return':
      case 'error': {
        // No id, or one we no longer wait for (timed out): nobody is waiting for this reply.
        const call = typeof msg.id === 'number' ? this.#pending.get(msg.id) : undefined;
        if (!call || typeof msg.id !== 'number') return;
        this.#pending.delete(msg.id);
        clearTimeout(call.timer);
        if (msg.kind === 'return') call.resolve(msg.value);
        else call.reject(new QmpExecuteError(call.command, msg.errorClass, msg.desc));
      }
    }
  }

  #onGreeting(greeting: QmpGreeting): void {
    if (this.#state !== 'connecting') throw new QmpProtocolError('unexpected second QMP greeting');
    this.#greeting = greeting;
    this.#setState('negotiating');
    this.#send('qmp_capabilities', undefined).then(
      () => {
        const handshake = this.#handshake;
        if (this.#state !== 'negotiating' || !handshake) return;
        this.#handshake = undefined;
        clearTimeout(handshake.timer);
        this.#setState('ready');
        handshake.resolve();
      },
      (cause: unknown) => {
        const error = new QmpConnectionError('QMP capabilities negotiation failed', this.socketPath, {
          cause,
        });
        this.#terminate(error);
      },
    );
  }

  /** Moves to 'closed' once: settles the handshake and every pending call, then destroys the socket. */
  #terminate(reason: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#closeError = reason;
    const handshake = this.#handshake;
    if (handshake) {
      this.#handshake = undefined;
      clearTimeout(handshake.timer);
      handshake.reject(this.#connectionError(reason));
    }
    for (const call of this.#pending.values()) {
      clearTimeout(call.timer);
      call.reject(new QmpInterruptedError(call.command, reason && { cause: reason }));
    }
    this.#pending.clear();
    this.#socket.destroy();
  }

  #connectionError(reason: Error | undefined): QmpConnectionError {
    if (reason instanceof QmpConnectionError) return reason;
    const code = reason && 'code' in reason && typeof reason.code === 'string' ? reason.code : undefined;
    const what = code ? `QMP socket error ${code}` : 'qemu closed the connection during the QMP handshake';
    return new QmpConnectionError(what, this.socketPath, { code, cause: reason });
  }
}
