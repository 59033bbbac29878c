import { LibvirtConnection } from './libvirt-connection.ts';

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
 * again after a drop. Only local (unix socket) URIs are reached in this version.
 */
export class LibvirtHost {
  private current: Promise<LibvirtConnection> | undefined;
  private readonly dropListeners = new Set<() => void>();

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
      const opening = LibvirtConnection.open(socketOf(this.uri), daemonUri(this.uri));
      this.current = opening;
      opening.then(
        (conn) =>
          conn.onClose(() => {
            if (this.current === opening) this.current = undefined;
            for (const l of this.dropListeners) l();
          }),
        () => {
          if (this.current === opening) this.current = undefined;
        },
      );
    }
    return this.current;
  }

  /** Calls `listener` whenever the open connection drops. */
  onDrop(listener: () => void): void {
    this.dropListeners.add(listener);
  }

  close(): void {
    void this.current?.then((c) => c.close()).catch(() => undefined);
    this.current = undefined;
  }
}
