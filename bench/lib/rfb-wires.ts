// RFB viewers for the benches: over virtweb's VNC websocket, or straight to qemu's VNC unix socket. Each
// comes with `send` for the messages the test client has no method for (KeyEvent).
import net from 'node:net';
import type { TestServer } from '../../apps/server/test/harness.ts';
import { RfbClient, rfbOverWebSocket, type RfbOptions } from '../../apps/server/test/rfb-client.ts';

export interface Viewer {
  rfb: RfbClient;
  send: (bytes: Buffer) => void;
}

export async function viewerOverUnix(socketPath: string, opts?: RfbOptions): Promise<Viewer> {
  const sock = net.createConnection(socketPath);
  sock.setNoDelay(true);
  const send = (b: Buffer): void => void sock.write(b);
  const rfb = new RfbClient({ write: send, close: () => sock.destroy() }, opts);
  sock.on('data', (b: Buffer) => rfb.stream.push(b));
  sock.on('error', (err) => rfb.stream.end(err));
  sock.on('close', () => rfb.stream.end(new Error('unix socket closed')));
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return { rfb: await rfb.handshake(), send };
}

/** A viewer of VM `id` through the server (`token`: a bearer token, e.g. read scope for a view-only one). */
export async function viewerThroughServer(
  server: TestServer,
  id: string,
  opts: RfbOptions & { token?: string } = {},
): Promise<Viewer> {
  const ws = server.ws(`/api/vms/${id}/vnc`, opts.token === undefined ? {} : { token: opts.token });
  const rfb = await rfbOverWebSocket(ws, opts);
  return { rfb, send: (b) => ws.send(b) };
}

/** RFB KeyEvent (type 4): down or up of an X keysym. */
export function keyEvent(keysym: number, down: boolean): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(4, 0);
  b.writeUInt8(down ? 1 : 0, 1);
  b.writeUInt32BE(keysym, 4);
  return b;
}
