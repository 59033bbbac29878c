import { ServerEventSchema, type ServerEvent } from '@virtweb/protocol';
import { wsUrl } from './http.ts';

/** `open` once the server said hello; `reconnecting` while waiting for the next attempt. */
export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'open'; since: number }
  | { kind: 'reconnecting'; attempt: number; retryAt: number }
  | { kind: 'stopped' };

export interface EventsHandlers {
  onEvent: (event: ServerEvent) => void;
  /**
   * After every (re)connect, once `hello` arrived: caches should resync, events may have been missed.
   * `reconnected`: the socket had been open before and dropped.
   */
  onOpen?: (reconnected: boolean) => void;
  /** The socket closed unexpectedly (the session may have expired: a 401 handshake looks the same). */
  onDrop?: () => void;
}

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/**
 * The one `/api/events` socket: reconnects with exponential backoff (and jitter) until stopped, and exposes
 * its status for `useSyncExternalStore`.
 */
export class EventsConnection {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private everOpen = false;
  private current: ConnectionStatus = { kind: 'stopped' };
  private readonly listeners = new Set<() => void>();
  private readonly handlers: EventsHandlers;
  private readonly path: string;

  constructor(handlers: EventsHandlers, path = '/api/events') {
    this.handlers = handlers;
    this.path = path;
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getStatus = (): ConnectionStatus => this.current;

  start(): void {
    if (this.current.kind !== 'stopped') return;
    this.connect();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) this.detach(socket).close(1000, 'stopped');
    this.setStatus({ kind: 'stopped' });
  }

  /** While waiting for the next attempt: make it now (the user asked). */
  retryNow = (): void => {
    if (this.current.kind !== 'reconnecting') return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.connect();
  };

  private connect(): void {
    this.timer = null;
    this.setStatus({ kind: 'connecting' });
    const socket = new WebSocket(wsUrl(this.path));
    this.socket = socket;
    socket.onmessage = (msg) => this.receive(msg);
    socket.onclose = () => this.dropped(socket);
    // An error is always followed by close; nothing to do here but keep the console quiet.
    socket.onerror = () => undefined;
  }

  private receive(msg: MessageEvent): void {
    if (typeof msg.data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(msg.data);
    } catch {
      console.error('events: a message that is not JSON', msg.data);
      return;
    }
    const parsed = ServerEventSchema.safeParse(json);
    if (!parsed.success) {
      console.error('events: a message that does not match the contract', parsed.error.issues, json);
      return;
    }
    if (parsed.data.type === 'hello') {
      this.attempt = 0;
      this.setStatus({ kind: 'open', since: Date.now() });
      this.handlers.onOpen?.(this.everOpen);
      this.everOpen = true;
    }
    this.handlers.onEvent(parsed.data);
  }

  private dropped(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.detach(socket);
    this.socket = null;
    this.attempt += 1;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.setStatus({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay });
    this.timer = setTimeout(() => this.connect(), delay);
    this.handlers.onDrop?.();
  }

  private detach(socket: WebSocket): WebSocket {
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    return socket;
  }

  private setStatus(next: ConnectionStatus): void {
    this.current = next;
    for (const listener of this.listeners) listener();
  }
}
