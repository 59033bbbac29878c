import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialLogs } from './serial-log.ts';

describe('SerialLogs', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-serial-log-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps output in order across many small writes, in a 0600 file', async () => {
    const logs = new SerialLogs(dir);
    const log = logs.log('a1');
    for (let i = 0; i < 500; i++) log.append(Buffer.from(`line ${i}\n`));
    const text = (await logs.read('a1')).toString();
    expect(text.split('\n').slice(0, -1)).toEqual(Array.from({ length: 500 }, (_, i) => `line ${i}`));
    expect((await fs.stat(path.join(dir, 'a1.serial.log'))).mode & 0o777).toBe(0o600);
  });

  it('rotates at the cap and keeps one rotated file: the newest output survives, the size stays bounded', async () => {
    const logs = new SerialLogs(dir, 1000);
    const log = logs.log('b2');
    for (let i = 0; i < 100; i++) {
      log.append(Buffer.from(`${String(i).padStart(3, '0')}-${'x'.repeat(95)}\n`));
      await log.flushed();
    }
    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(['b2.serial.log', 'b2.serial.log.1']);
    for (const f of files) expect((await fs.stat(path.join(dir, f))).size).toBeLessThanOrEqual(1000);
    const lines = (await logs.read('b2')).toString().trim().split('\n');
    expect(lines.at(-1)).toMatch(/^099-/);
    // Contiguous: the rotated file ends where the current one begins.
    const numbers = lines.map((l) => Number(l.slice(0, 3)));
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
    expect(numbers.length).toBeGreaterThanOrEqual(10);
  });

  it("gives an adopted guest's scrollback from its own run only, capped to the last bytes", async () => {
    const logs = new SerialLogs(dir);
    logs.startRun('c3', 100);
    logs.log('c3').append(Buffer.from('old boot\r\n'));
    logs.startRun('c3', 200);
    logs.log('c3').append(Buffer.from('new boot\r\nlogin: '));
    expect((await logs.currentRun('c3', 65536)).toString()).toBe('new boot\r\nlogin: ');
    expect((await logs.currentRun('c3', 7)).toString()).toBe('login: ');
    expect((await logs.read('c3')).toString()).toMatch(/pid 100.*old boot.*pid 200.*new boot/s);
    expect((await logs.currentRun('none', 100)).length).toBe(0);
  });

  it('removes both files of a guest', async () => {
    const logs = new SerialLogs(dir, 10);
    logs.log('d4').append(Buffer.from('0123456789'));
    logs.log('d4').append(Buffer.from('abc'));
    await logs.log('d4').flushed();
    await logs.remove('d4');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('carries the end of a log to another guest id (a migration), the arrival noted, new output after it', async () => {
    const logs = new SerialLogs(dir);
    const source = logs.log('src');
    for (let i = 0; i < 100; i++) source.append(Buffer.from(`boot ${i}\n`));
    const tail = await logs.tail('src', 40);
    expect(tail.toString()).toBe('boot 95\nboot 96\nboot 97\nboot 98\nboot 99\n');
    await logs.seed('dst', tail, 'moved here from host-a');
    logs.log('dst').append(Buffer.from('after the move\n'));
    expect((await logs.read('dst')).toString()).toMatch(
      /^boot 95\n[\s\S]*boot 99\n\r\n-- virtweb: moved here from host-a --\r\nafter the move\n$/,
    );
    expect((await fs.stat(path.join(dir, 'dst.serial.log'))).mode & 0o777).toBe(0o600);
  });
});
