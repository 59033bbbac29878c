import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERIAL_SCROLLBACK_BYTES, SerialBuffer } from './serial-buffer.ts';

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
    await new Promise((r) => setTimeout(r, 50));
    expect(buf.scrollback().toString()).toBe('login: ');
    expect(buf.write('root\n')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(received).toString()).toBe('root\n');
    peer?.destroy();
    buf.close();
    expect(buf.write('x')).toBe(false);
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects attach when the socket does not exist', async () => {
    await expect(new SerialBuffer().attach('/nonexistent/serial.sock')).rejects.toThrow();
  });
});
