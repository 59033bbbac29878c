// Host/port helpers for the migration and NBD listeners on the target.
import { createServer } from 'node:net';

/** `tcp:` URI host part: IPv6 literals in brackets. */
export function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The `migrate` / `migrate-incoming` URI of a TCP endpoint. */
export function tcpUri(host: string, port: number): string {
  return `tcp:${uriHost(host)}:${port}`;
}

/**
 * A port that was free on `host` a moment ago: bound with port 0, read back, released.
 * NOTE: another process may take it before qemu binds it; callers retry with a new port on EADDRINUSE.
 */
export function probeFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port on ${host}`))));
    });
  });
}
