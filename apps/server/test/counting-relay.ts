// A TCP relay on loopback that counts the bytes it carries: what a migration really puts on the wire.
// NOTE: qemu 7.2 counts multifd traffic before compression (`ram.multifd-bytes` is pages x 4096), so
// query-migrate cannot show what `multifd-compression` saves; the relay can.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CountingRelay {
  /** `tcp:127.0.0.1:<relay port>`: give this to the source's `migrate`. */
  uri: string;
  /** Bytes from the source to the target so far, over all connections (multifd opens several). */
  bytes(): number;
  close(): Promise<void>;
}

/** Relays every connection to the `tcp:127.0.0.1:<port>` target and counts the source's bytes. */
export async function countingRelay(targetUri: string): Promise<CountingRelay> {
  const port = Number(/^tcp:127\.0\.0\.1:(\d+)$/.exec(targetUri)?.[1]);
  if (!Number.isInteger(port)) throw new Error(`not a loopback tcp: URI: ${targetUri}`);
  let bytes = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((from) => {
    const to = connect({ host: '127.0.0.1', port });
    track(from);
    track(to);
    from.on('data', (d: Buffer) => (bytes += d.length));
    from.on('close', () => to.destroy());
    to.on('close', () => from.destroy());
    from.pipe(to);
    to.pipe(from);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const relayPort = (server.address() as AddressInfo).port;
  return {
    uri: `tcp:127.0.0.1:${relayPort}`,
    bytes: () => bytes,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
