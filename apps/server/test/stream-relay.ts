// A man in the middle for migration tests: an HTTP proxy in front of the target server that sends the
// source's live-migration stream (and a disk copy's NBD traffic) through TCP relays recording every byte, and may rewrite the target's answer.
import http from 'node:http';
import net from 'node:net';

type Answer = Record<string, unknown>;

export interface StreamRelay {
  /** The proxy's URL: add it as the peer instead of the target's own. */
  url: string;
  /** Every byte the source sent to the target's migration and NBD ports, in order of arrival. */
  recorded(): Buffer;
  /** Rewrites the target's answer to `POST /api/migrations/incoming` (after the relay's own change). */
  tamper: ((answer: Answer) => Answer) | undefined;
  close(): Promise<void>;
}

const INCOMING = '/api/migrations/incoming';

/** Starts a proxy to `targetUrl` (plain http) on loopback. */
export async function startStreamRelay(targetUrl: string): Promise<StreamRelay> {
  const chunks: Buffer[] = [];
  const relays: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const relay: StreamRelay = {
    url: '',
    recorded: () => Buffer.concat(chunks),
    tamper: undefined,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(relays.map((r) => new Promise((done) => r.close(done))));
      await new Promise((done) => proxy.close(done));
    },
  };

  /** A relay to the target qemu's port; resolves with the relay's own port. */
  const relayTo = (port: number): Promise<number> => {
    const server = net.createServer((from) => {
      const to = net.connect(port, '127.0.0.1');
      sockets.add(from).add(to);
      from.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
      from.pipe(to).pipe(from);
      from.on('error', () => to.destroy());
      to.on('error', () => from.destroy());
    });
    relays.push(server);
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  };

  const proxy = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => {
      const out = http.request(
        new URL(req.url ?? '/', targetUrl),
        { method: req.method, headers: { ...req.headers, host: new URL(targetUrl).host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (d: Buffer) => parts.push(d));
          answer.on('end', () => {
            void rewrite(req, answer.statusCode ?? 502, Buffer.concat(parts)).then((text) => {
              const headers = { ...answer.headers, 'content-length': String(text.length) };
              delete headers['transfer-encoding'];
              res.writeHead(answer.statusCode ?? 502, headers).end(text);
            });
          });
        },
      );
      out.on('error', () => res.writeHead(502).end());
      out.end(Buffer.concat(body));
    });
  });

  const rewrite = async (req: http.IncomingMessage, status: number, text: Buffer): Promise<Buffer> => {
    if (req.method !== 'POST' || req.url !== INCOMING || status !== 201) return text;
    let answer = JSON.parse(text.toString('utf8')) as Answer;
    const port = typeof answer.uri === 'string' ? Number(/:(\d+)$/.exec(answer.uri)?.[1]) : NaN;
    if (Number.isInteger(port)) answer.uri = `tcp:127.0.0.1:${await relayTo(port)}`;
    const nbd = answer.nbd as { port: number } | undefined;
    if (nbd) answer.nbd = { ...nbd, port: await relayTo(nbd.port) };
    if (relay.tamper) answer = relay.tamper(answer);
    return Buffer.from(JSON.stringify(answer));
  };

  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  return relay;
}
