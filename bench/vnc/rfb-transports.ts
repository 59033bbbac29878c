import net from 'node:net';
import { RfbClient, type RfbOptions, type Wire } from '../../apps/server/test/rfb-client.ts';
import { connectLeanWebSocket } from './ws-client.ts';

// The bench's own transports for the RFB client; the websocket one, which the tests use too, is beside it.

/** An RFB client over a unix socket (the raw path). */
export function rfbOverUnix(socketPath: string, opts?: RfbOptions): Promise<RfbClient> {
  const sock = net.createConnection(socketPath);
  const client = new RfbClient({ write: (b) => sock.write(b), close: () => sock.destroy() }, opts);
  sock.on('data', (chunk: Buffer) => client.stream.push(chunk));
  sock.on('error', (err) => client.stream.end(err));
  sock.on('close', () => client.stream.end(new Error('unix socket closed')));
  return client.handshake();
}

/**
 * An RFB client over the benchmark's lean websocket client (payload pieces go straight into the RFB
 * stream, no per-message copies), so that the client costs about as little as on the raw socket.
 */
export async function rfbOverLeanWs(
  url: string,
  headers: Record<string, string> = {},
  opts?: RfbOptions,
): Promise<RfbClient> {
  const wire: Wire = { write: () => undefined, close: () => undefined };
  const client = new RfbClient(wire, opts);
  // The pieces are subarrays of the socket's read buffers, which Node never reuses: safe to keep queued.
  const ws = await connectLeanWebSocket(url, headers, {
    onPayload: (piece) => client.stream.push(piece),
    onClose: (code, reason) => client.stream.end(new Error(`websocket closed ${code} ${reason}`)),
  });
  wire.write = (b) => ws.send(b);
  wire.close = () => ws.close();
  return client.handshake();
}
