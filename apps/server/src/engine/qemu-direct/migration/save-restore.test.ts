// Save and restore with real zstd and a fake qemu: its "migration stream" is bytes on the unix socket.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMigrationError } from './errors.ts';
import { restoreState } from './restore-state.ts';
import { saveState } from './save-state.ts';
import { argsOf, commandNames, fakeQemu, type FakeQemu } from './test-support.ts';

let q: FakeQemu;
let dir: string;
beforeEach(async () => {
  q = await fakeQemu('running');
  dir = await mkdtemp(join(tmpdir(), 'vw-save-test-'));
});
afterEach(async () => {
  await q.close();
  await rm(dir, { recursive: true, force: true });
});

/** 3 MiB of a guest-like stream: runs of zeros and of noise. */
const STREAM = Buffer.concat(
  Array.from({ length: 48 }, (_, i) =>
    i % 3 === 0
      ? Buffer.from(Array.from({ length: 65536 }, (_, j) => (j * 7919 + i) & 0xff))
      : Buffer.alloc(65536),
  ),
);

/** The fake source: on `migrate unix:<sock>` it connects and sends STREAM; completed once all was written. */
function fakeSource(): void {
  let written = false;
  q.fake.handle('migrate', (c) => {
    q.state.status = 'finish-migrate';
    const path = String(c.arguments?.uri).replace(/^unix:/, '');
    const sock = net.createConnection(path, () => sock.end(STREAM, () => (written = true)));
    sock.on('close', () => (q.state.status = 'postmigrate'));
    return { return: {} };
  });
  q.fake.handle('query-migrate', () => ({
    return:
      written && q.state.status === 'postmigrate'
        ? { status: 'completed', 'total-time': 9 }
        : { status: 'active' },
  }));
}

describe('saveState', () => {
  it('stops the guest, streams through zstd into <file>.part and renames it when complete', async () => {
    fakeSource();
    const file = join(dir, 'vm.vmstate.zst');
    const result = await saveState(q.qmp, { file, pollIntervalMs: 5 });
    expect(commandNames(q.fake)).toEqual([
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'stop',
      'migrate',
    ]);
    expect(String(argsOf(q.fake, 'migrate')?.uri)).toMatch(/^unix:\/.*stream\.sock$/);
    expect(execFileSync('zstd', ['-d', '-c', file], { maxBuffer: 64 << 20 }).equals(STREAM)).toBe(true);
    expect(result.streamBytes).toBe(STREAM.length);
    expect(result.sizeBytes).toBeLessThan(STREAM.length);
    expect(await readdir(dir)).toEqual(['vm.vmstate.zst']);
  });

  it('refuses to overwrite a file', async () => {
    const file = join(dir, 'taken.zst');
    await writeFile(file, 'x');
    const err = await saveState(q.qmp, { file }).catch((e: unknown) => e);
    expect(isMigrationError(err) && err.message).toMatch(/already exists/);
    expect(commandNames(q.fake)).toEqual([]);
  });

  it('on failure leaves no file and resumes the guest it stopped', async () => {
    q.fake.handle('stop', () => {
      q.state.status = 'paused';
      return { return: {} };
    });
    q.fake.handle('query-migrate', { return: { status: 'failed', 'error-desc': 'No space left on device' } });
    const file = join(dir, 'vm.zst');
    const err = await saveState(q.qmp, { file, pollIntervalMs: 5 }).catch((e: unknown) => e);
    expect(isMigrationError(err) && err.message).toBe('save failed: No space left on device');
    expect(commandNames(q.fake).at(-1)).toBe('cont');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a missing zstd is a failure before anything is stopped', async () => {
    const err = await saveState(q.qmp, { file: join(dir, 'a.zst'), zstdBinary: join(dir, 'no-zstd') }).catch(
      (e: unknown) => e,
    );
    expect(isMigrationError(err) && err.message).toMatch(/ENOENT/);
    expect(commandNames(q.fake)).not.toContain('stop');
    expect(await readdir(dir)).toEqual([]);
  });
});

/** The fake target: `migrate-incoming unix:<sock>` listens there and takes one stream. */
function fakeTarget(): { received: () => Buffer } {
  const chunks: Buffer[] = [];
  q.fake.handle('migrate-incoming', async (c) => {
    const path = String(c.arguments?.uri).replace(/^unix:/, '');
    const server = net.createServer((sock) => {
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('end', () => {
        q.state.status = 'paused';
        server.close();
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { return: {} };
  });
  q.fake.handle('query-migrate', () => ({
    return: { status: q.state.status === 'inmigrate' ? 'active' : 'completed' },
  }));
  q.fake.handle('cont', () => {
    q.state.status = 'running';
    return { return: {} };
  });
  return { received: () => Buffer.concat(chunks) };
}

describe('restoreState', () => {
  it('pipes the file through zstd -d into qemu, then starts the guest', async () => {
    q.state.status = 'inmigrate';
    const target = fakeTarget();
    const file = join(dir, 'state.zst');
    execFileSync('zstd', ['-q', '-o', file], { input: STREAM });
    const fractions: number[] = [];
    const result = await restoreState(q.qmp, {
      file,
      pollIntervalMs: 0,
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(target.received().equals(STREAM)).toBe(true);
    expect(q.state.status).toBe('running');
    expect(commandNames(q.fake)).toEqual([
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'migrate-incoming',
      'query-block-exports',
      'migrate-set-parameters', // tls-creds '' (nothing of a migration's TLS stays)
      'object-del',
      'cont',
    ]);
    expect(fractions.at(-1)).toBe(1);
    expect(result.fileBytes).toBeGreaterThan(0);
  });

  it("a file that is not zstd fails with zstd's words and never starts the guest", async () => {
    q.state.status = 'inmigrate';
    fakeTarget();
    const file = join(dir, 'junk.zst');
    await writeFile(file, 'this is not a saved state');
    const err = await restoreState(q.qmp, { file }).catch((e: unknown) => e);
    expect(isMigrationError(err) && err.message).toMatch(/^restore failed: zstd ended with exit code 1: .+/);
    expect(commandNames(q.fake)).not.toContain('cont');
  });

  it('refuses a qemu that is not waiting for a stream', async () => {
    const err = await restoreState(q.qmp, { file: join(dir, 'x.zst') }).catch((e: unknown) => e);
    expect(isMigrationError(err) && err.message).toMatch(/running, not waiting/);
  });
});
