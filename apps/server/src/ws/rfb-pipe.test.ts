import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { RfbPipe, type PipeEnd, type RfbPipeOptions } from './rfb-pipe.ts';

interface Rig {
  url: string;
  socketPath: string;
  unix: net.Server;
  /** Resolves with the pipe of the next viewer. */
  nextPipe: () => Promise<RfbPipe>;
  close: () => Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

/** A unix server (`onUnix` per connection) and a websocket server piping each viewer to it. */
async function rig(onUnix: (s: net.Socket) => void, opts: RfbPipeOptions = {}): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-pipe-'));
  const socketPath = path.join(dir, 'vnc.sock');
  const unix = net.createServer(onUnix);
  await new Promise<void>((r) => unix.listen(socketPath, r));
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const pipes: RfbPipe[] = [];
  const waiting: ((p: RfbPipe) => void)[] = [];
  wss.on('connection', (ws) => {
    const pipe = new RfbPipe(ws, socketPath, opts);
    const w = waiting.shift();
    if (w) w(pipe);
    else pipes.push(pipe);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  const r: Rig = {
    url: `ws://127.0.0.1:${addr.port}/`,
    socketPath,
    unix,
    nextPipe: () =>
      new Promise((resolve) => (pipes.length ? resolve(pipes.shift()!) : waiting.push(resolve))),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((res) => server.close(res));
      await new Promise((res) => unix.close(res));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  rigs.push(r);
  return r;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('RfbPipe', () => {
  it('carries bytes both ways in order', async () => {
    const received: Buffer[] = [];
    const r = await rig((s) => {
      s.on('data', (c: Buffer) => received.push(c));
      const big = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = i % 251;
      s.write('RFB 003.008\n');
      s.write(big);
    });
    const ws = new WebSocket(r.url, { perMessageDeflate: false });
    const chunks: Buffer[] = [];
    let total = 0;
    const all = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        chunks.push(d);
        total += d.length;
        if (total >= 12 + 3 * 1024 * 1024) resolve();
      }),
    );
    await new Promise((res) => ws.once('open', res));
    ws.send(Buffer.from('RFB 003.008\n'));
    await all;
    const got = Buffer.concat(chunks);
    expect(got.subarray(0, 12).toString()).toBe('RFB 003.008\n');
    const body = got.subarray(12);
    let bad = 0;
    for (let i = 0; i < body.length; i++) if (body[i] !== i % 251) bad++;
    expect(bad).toBe(0);
    await expect.poll(() => Buffer.concat(received).toString()).toBe('RFB 003.008\n');
    ws.close();
  });

  it('closes the viewer with what targetEnded says when the unix side hangs up', async () => {
    const r = await rig((s) => s.end('RFB 003.008\n'), {
      targetEnded: () => ({ code: 1000, reason: 'bye' }),
    });
    const ws = new WebSocket(r.url);
    expect(await closed(ws)).toEqual({ code: 1000, reason: 'bye' });
  });

  it('closes the unix connection when the viewer leaves', async () => {
    let unixClosed: Promise<void> = Promise.resolve();
    const r = await rig((s) => {
      unixClosed = new Promise((res) => s.on('close', () => res()));
      s.on('error', () => undefined);
    });
    const ws = new WebSocket(r.url);
    const pipe = await r.nextPipe();
    await new Promise((res) => ws.once('open', res));
    ws.close();
    expect(await pipe.done).toEqual({ by: 'viewer' });
    await unixClosed;
  });

  it('bounds what it buffers for a viewer that stops reading, then drops it with 4408', async () => {
    const highWaterBytes = 1024 * 1024;
    let flooded = 0;
    const r = await rig(
      (s) => {
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        const flood = (): void => {
          while (!s.destroyed && s.write(chunk)) flooded += chunk.length;
        };
        s.on('drain', flood);
        s.on('error', () => undefined);
        flood();
      },
      { highWaterBytes, stallTimeoutMs: 1500 },
    );
    const before = process.memoryUsage().arrayBuffers;
    const ws = new WebSocket(r.url, { perMessageDeflate: false });
    const pipe = await r.nextPipe();
    await new Promise((res) => ws.once('open', res));
    ws.pause(); // stops reading its TCP socket: the kernel buffers fill, then the server's

    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(flooded), 100);
    const end: PipeEnd = await pipe.done;
    clearInterval(sampler);
    expect(end).toEqual({ by: 'stall' });
    // Backpressure reached the unix side: the flooding server was stuck for the last half second.
    expect(samples.at(-1)).toBe(samples.at(-6));
    expect(pipe.stats.maxQueuedBytes).toBeLessThanOrEqual(highWaterBytes + 64 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);

    // A viewer that reads again within the grace period gets the close frame behind the queued bytes.
    const closing = closed(ws);
    ws.resume();
    expect(await closing).toEqual({ code: 4408, reason: 'viewer too slow: reconnect' });
  });
});
