import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { bridgeUnixSocket, type BridgeOptions } from './unix-bridge.ts';

const until = async (pred: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** The browser sends 64 KiB frames until the server stops reading its websocket (at most 64 MiB). */
async function sendUntilPaused(browser: WebSocket, serverWs: WebSocket): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x42);
  let sent = 0;
  while (!serverWs.isPaused && sent < 64 * 1024 * 1024) {
    browser.send(chunk);
    sent += chunk.length;
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

// A temp unix socket server standing in for qemu, and a websocket server that bridges each client to it.
describe('bridgeUnixSocket', () => {
  let dir: string;
  let sockPath: string;
  let unixServer: net.Server;
  let guestConns: net.Socket[];
  let httpServer: http.Server;
  let url: string;
  let bridged: { ws: WebSocket; done: Promise<void> }[];
  let bridgeOpts: BridgeOptions;
  let clients: WebSocket[];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-bridge-'));
    sockPath = path.join(dir, 'guest.sock');
    guestConns = [];
    bridged = [];
    clients = [];
    bridgeOpts = { endReason: 'guest stopped' };
    unixServer = net.createServer((c) => guestConns.push(c));
    await new Promise<void>((r) => unixServer.listen(sockPath, r));
    httpServer = http.createServer();
    const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false });
    wss.on('connection', (ws) => bridged.push({ ws, done: bridgeUnixSocket(ws, sockPath, bridgeOpts) }));
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const addr = httpServer.address() as net.AddressInfo;
    url = `ws://127.0.0.1:${addr.port}`;
  });

  afterEach(async () => {
    for (const c of clients) c.terminate();
    for (const c of guestConns) c.destroy();
    httpServer.closeAllConnections();
    await new Promise((r) => httpServer.close(r));
    await new Promise((r) => unixServer.close(r));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const connect = async (): Promise<{ ws: WebSocket; received: Buffer[]; closed: () => unknown }> => {
    const ws = new WebSocket(url);
    clients.push(ws);
    const received: Buffer[] = [];
    let closed: { code: number; reason: string } | undefined;
    ws.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(data);
    });
    ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
    await new Promise((r) => ws.once('open', r));
    return { ws, received, closed: () => closed };
  };

  it('carries bytes both ways as binary frames', async () => {
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    const guest = guestConns[0]!;
    let fromBrowser = '';
    guest.on('data', (d) => (fromBrowser += d.toString('latin1')));
    client.ws.send(Buffer.from('info status\r'));
    client.ws.send('as text too');
    await until(() => fromBrowser === 'info status\ras text too', 'bytes at the guest');
    guest.write(Buffer.from([0, 1, 2, 255]));
    await until(() => Buffer.concat(client.received).length === 4, 'bytes at the browser');
    expect([...Buffer.concat(client.received)]).toEqual([0, 1, 2, 255]);
  });

  it('closes the browser with the end reason when the guest side hangs up', async () => {
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    guestConns[0]!.end();
    await until(() => client.closed() !== undefined, 'the websocket close');
    expect(client.closed()).toEqual({ code: 1000, reason: 'guest stopped' });
    await bridged[0]!.done;
  });

  it('closes the guest connection when the browser leaves', async () => {
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    let guestClosed = false;
    guestConns[0]!.on('close', () => (guestClosed = true));
    client.ws.close(1000, 'bye');
    await bridged[0]!.done;
    await until(() => guestClosed, 'the guest connection to close');
  });

  it('refuses with 4409 when nobody listens on the socket', async () => {
    await new Promise((r) => unixServer.close(r));
    await fs.rm(sockPath, { force: true });
    const client = await connect();
    await until(() => client.closed() !== undefined, 'the websocket close');
    expect(client.closed()).toEqual({ code: 4409, reason: 'guest not running' });
    unixServer = net.createServer().listen(path.join(dir, 'other.sock'));
  });

  it('pauses the guest socket for a stalled browser, then drops the browser with 4408', async () => {
    const high = 64 * 1024;
    const stallMs = 400;
    Object.assign(bridgeOpts, { highWaterBytes: high, stallTimeoutMs: stallMs });
    const client = await connect();
    client.ws.pause(); // the browser stops reading: TCP fills up, then the server's websocket queue
    await until(() => guestConns.length === 1, 'the guest connection');
    const guest = guestConns[0]!;
    const serverWs = bridged[0]!.ws;
    let written = 0;
    let maxQueued = 0;
    let backedUpAt = 0;
    let guestClosedAt = 0;
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    const pump = (): void => {
      // The guest writes as fast as its socket takes it, like qemu streaming a screen.
      while (!guest.destroyed && written < 256 * 1024 * 1024 && guest.write(chunk)) written += chunk.length;
      if (!guest.destroyed && backedUpAt === 0) backedUpAt = Date.now();
    };
    guest.on('drain', pump);
    guest.on('error', () => undefined);
    guest.on('close', () => (guestClosedAt = Date.now()));
    const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, serverWs.bufferedAmount)), 2);
    pump();
    try {
      await bridged[0]!.done;
    } finally {
      clearInterval(sampler);
    }
    await until(() => guestClosedAt > 0, 'the guest connection to be released');
    // The bridge stopped reading the guest (its writes backed up) and released it after the stall timeout,
    // with at most one read chunk above the high-water mark queued for the browser.
    expect(backedUpAt).toBeGreaterThan(0);
    expect(guestClosedAt - backedUpAt).toBeGreaterThanOrEqual(stallMs - 50);
    expect(guestClosedAt - backedUpAt).toBeLessThan(stallMs + 3000);
    expect(maxQueued).toBeLessThan(high + 256 * 1024);
    // The browser reads again: what was queued, then the close frame.
    client.ws.resume();
    await until(() => client.closed() !== undefined, 'the websocket close', 20_000);
    expect(client.closed()).toEqual({ code: 4408, reason: 'viewer too slow: reconnect' });
    // The guest socket is free for the next viewer at once.
    const next = await connect();
    await until(() => guestConns.length === 2, 'a second guest connection');
    guestConns[1]!.write('still here');
    await until(() => Buffer.concat(next.received).toString() === 'still here', 'bytes after the drop');
  });

  it('stops reading the browser while the guest does not read its socket', async () => {
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    const guest = guestConns[0]!;
    guest.pause();
    const serverWs = bridged[0]!.ws;
    const sent = await sendUntilPaused(client.ws, serverWs);
    expect(serverWs.isPaused).toBe(true);
    let got = 0;
    guest.on('data', (d: Buffer) => (got += d.length));
    guest.resume();
    await until(() => got === sent, `all ${sent} bytes at the guest`, 20_000);
    await until(() => !serverWs.isPaused, 'the websocket to read again');
  });

  it('closes with 4408 when the guest takes none of the input for the stall timeout', async () => {
    Object.assign(bridgeOpts, { stallTimeoutMs: 300 });
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    const guest = guestConns[0]!;
    guest.pause();
    await sendUntilPaused(client.ws, bridged[0]!.ws);
    client.ws.close(1000, 'bye'); // queued behind what the server no longer reads
    await bridged[0]!.done; // the guest connection is released
    await until(() => client.closed() !== undefined, 'the websocket close', 10_000);
    expect(client.closed()).toEqual({ code: 4408, reason: 'guest not reading input: reconnect' });
  });

  it("puts the input filter's answers between lines of the guest's output", async () => {
    /** Messages the bridge has put through the filter (it sorts out the answer in the same step). */
    let filtered = 0;
    Object.assign(bridgeOpts, {
      inputFilter: () => (message: Buffer) => {
        filtered++;
        return message.toString() === 'bad'
          ? { toGuest: Buffer.alloc(0), toBrowser: Buffer.from('REFUSED\n') }
          : {
              toGuest: message,
              toBrowser: message.toString() === 'both' ? Buffer.from('NOTE\n') : undefined,
            };
      },
    });
    const client = await connect();
    await until(() => guestConns.length === 1, 'the guest connection');
    const guest = guestConns[0]!;
    let fromBrowser = '';
    guest.on('data', (d: Buffer) => (fromBrowser += d.toString()));
    const seen = (): string => Buffer.concat(client.received).toString();
    // At a line start with nothing passed on: at once.
    client.ws.send('bad');
    await until(() => seen() === 'REFUSED\n', 'the answer');
    // Mid-line: after the guest's line end, not inside the line.
    guest.write('half a ');
    await until(() => seen().endsWith('half a '), 'the half line');
    client.ws.send('bad');
    await until(() => filtered === 2, 'the second message at the filter');
    guest.write('line\nnext');
    await until(() => seen().endsWith('next'), 'the rest');
    expect(seen()).toBe('REFUSED\nhalf a line\nREFUSED\nnext');
    // Something passed on: the answer waits for the guest's reply to it.
    guest.write('\n');
    await until(() => seen().endsWith('next\n'), 'the line end');
    client.ws.send('both');
    await until(() => fromBrowser === 'both', 'the passed part at the guest');
    // What is checked is that nothing arrives: no answer within 100 ms while the guest has not replied.
    await new Promise((r) => setTimeout(r, 100));
    expect(seen().endsWith('NOTE\n')).toBe(false);
    guest.write('reply\n');
    await until(() => seen().endsWith('reply\nNOTE\n'), 'the answer after the reply');
  });
});
