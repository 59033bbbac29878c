import { LibvirtConnection, type LifecycleEvent, type MonitorEvent } from './libvirt-connection.ts';

/** How often a dropped connection is opened again while guests of it run. */
const RECONNECT_MS = 2000;

/** The unix socket of a local daemon's URI: `?socket=` when given, else libvirt's default for root. */
export function socketOf(uri: string): string {
  const url = new URL(uri);
  return url.searchParams.get('socket') ?? '/var/run/libvirt/libvirt-sock';
}

/** What the daemon is asked to open: the URI without the client-side parameters (`socket`). */
export function daemonUri(uri: string): string {
  const url = new URL(uri);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The one open connection to a libvirt daemon that the engine of `uri` shares: opened at first use, opened
 * again after a drop (at once while guests listen for their events, since libvirtd restarting leaves its
 * domains running). Listeners of events stay subscribed across connections. Only local (unix socket) URIs are
 * reached in this version.
 */
export class LibvirtHost {
  private current: Promise<LibvirtConnection> | undefined;
  private readonly lifecycle = new Set<(e: LifecycleEvent) => void>();
  private readonly monitor = new Set<(e: MonitorEvent) => void>();
  private readonly reconnected = new Set<() => void>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private everOpened = false;

  constructor(readonly uri: string) {}

  get local(): boolean {
    return new URL(this.uri).protocol === 'qemu:' && new URL(this.uri).host === '';
  }

  /** @throws Error when the daemon cannot be reached (its message says why) */
  connection(): Promise<LibvirtConnection> {
    if (!this.local) {
      return Promise.reject(new Error(`virtweb reaches only local libvirt daemons so far, not ${this.uri}`));
    }
    if (this.current === undefined) {
      const again = this.everOpened;
      const opening = LibvirtConnection.open(socketOf(this.uri), daemonUri(this.uri));
      this.current = opening;
      opening.then(
        (conn) => {
          this.everOpened = true;
          conn.onLifecycle((e) => this.lifecycle.forEach((l) => l(e)));
          conn.onMonitorEvent((e) => this.monitor.forEach((l) => l(e)));
          conn.onClose(() => {
            if (this.current === opening) this.current = undefined;
            this.reconnectSoon();
          });
          if (again) this.reconnected.forEach((l) => l());
        },
        () => {
          if (this.current === opening) this.current = undefined;
          this.reconnectSoon();
        },
      );
    }
    return this.current;
  }

  /** While guests listen, a dropped connection is opened again until the daemon answers. */
  private reconnectSoon(): void {
    if (this.closed || this.retry !== undefined || this.lifecycle.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connection().catch(() => undefined);
    }, RECONNECT_MS);
    this.retry.unref();
  }

  onLifecycle(listener: (e: LifecycleEvent) => void): () => void {
    this.lifecycle.add(listener);
    return () => this.lifecycle.delete(listener);
  }

  onMonitorEvent(listener: (e: MonitorEvent) => void): () => void {
    this.monitor.add(listener);
    return () => this.monitor.delete(listener);
  }

  /** Calls `listener` each time the connection is open again after a drop (events may have been missed). */
  onReconnect(listener: () => void): () => void {
    this.reconnected.add(listener);
    return () => this.reconnected.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    void this.current?.then((c) => c.close()).catch(() => undefined);
    this.current = undefined;
  }
}
