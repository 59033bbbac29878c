import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SERIAL_SCROLLBACK_BYTES, SerialBuffer } from './serial-buffer.ts';

/** Until the bytes arrived (the socket is local, but delivery is asynchronous). */
const WAIT = { timeout: 10_000, interval: 10 };

describe('SerialBuffer', () => {
  it('keeps exactly the last 64 KiB and fans out live chunks', () => {
    const buf = new SerialBuffer();
    const seen: number[] = [];
    const off = buf.subscribe((c) => seen.push(c.length));
    for (let i = 0; i < 100; i++) buf.push(Buffer.alloc(1000, i % 256));
    expect(buf.scrollback().length).toBe(SERIAL_SCROLLBACK_BYTES);
    expect(buf.scrollback().at(-1)).toBe(99);
    expect(buf.scrollback()[0]).toBe(Math.floor((100_000 - SERIAL_SCROLLBACK_BYTES) / 1000));
    off();
    buf.push(Buffer.from('x'));
    expect(seen).toHaveLength(100);
  });

  it('reads from and writes to a unix socket (as qemu serial.sock)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-serial-'));
    const sock = path.join(dir, 'serial.sock');
    let peer: net.Socket | undefined;
    const received: Buffer[] = [];
    const server = net.createServer((s) => {
      peer = s;
      s.on('data', (d: Buffer) => received.push(d));
      s.write('login: ');
    });
    await new Promise<void>((r) => server.listen(sock, r));
    const buf = new SerialBuffer();
    await buf.attach(sock);
    await vi.waitFor(() => expect(buf.scrollback().toString()).toBe('login: '), WAIT);
    const input = buf.input(() => undefined);
    expect(input.write(Buffer.from('root\n'))).toBe(true);
    await vi.waitFor(() => expect(Buffer.concat(received).toString()).toBe('root\n'), WAIT);
    peer?.destroy();
    buf.close();
    expect(input.write(Buffer.from('x'))).toBe(true); // no guest any more: dropped
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('queues input while the guest does not read; a console that leaves takes its queued input along', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-serial-'));
    const sock = path.join(dir, 'serial.sock');
    let peer: net.Socket | undefined;
    const server = net.createServer((s) => {
      peer = s;
      s.pause(); // a guest that does not read
    });
    await new Promise<void>((r) => server.listen(sock, r));
    const buf = new SerialBuffer();
    await buf.attach(sock);
    let drainedA = 0;
    let drainedB = 0;
    const a = buf.input(() => drainedA++);
    const b = buf.input(() => drainedB++);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let taken = 0;
    while (a.write(chunk)) taken += chunk.length; // until a chunk has to wait in the queue
    expect(taken).toBeLessThan(64 * 1024 * 1024);
    expect(b.write(Buffer.from('B'))).toBe(false); // queued behind a's input
    a.close(); // a's queued chunk is dropped; b's byte still goes out
    let got = '';
    peer?.on('data', (d: Buffer) => (got += d.toString('latin1')));
    peer?.resume();
    await vi.waitFor(() => expect(got.endsWith('B'), `got ${got.length} bytes`).toBe(true), WAIT);
    expect(got.length).toBe(taken + 1); // the queued chunk of a never arrived
    expect(drainedB).toBe(1);
    expect(drainedA).toBe(0);
    buf.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects attach when the socket does not exist', async () => {
    await expect(new SerialBuffer().attach('/nonexistent/serial.sock')).rejects.toThrow();
  });
});
