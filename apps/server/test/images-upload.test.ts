import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesDirEntries } from './harness.ts';
import {
  errorOf,
  MiB,
  partialUpload,
  ProgressWatcher,
  putUpload,
  writeRandomFile,
} from './images-helpers.ts';
import { useServer } from './server-fixture.ts';

// Uploads against a real server: streamed to a hidden .part file, hashed, renamed only when complete.
describe('image upload', () => {
  const server = useServer({ withGuestIso: true, env: { VIRTWEB_MAX_UPLOAD: '300M' } });
  const { dataDir } = server;
  let scratch: string;
  let progress: ProgressWatcher;
  const images = () => path.join(dataDir, 'images');
  const listDir = () => imagesDirEntries(images());

  beforeAll(async () => {
    scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'vw-up-'));
    progress = new ProgressWatcher(server.ws('/api/events'));
    await progress.opened();
  });
  afterAll(async () => {
    progress.ws.close();
    await fsp.rm(scratch, { recursive: true, force: true });
  });

  it('streams 200 MiB to disk with throttled progress events and the right sha256', async () => {
    const src = path.join(scratch, 'big.img');
    const size = 200 * MiB;
    await writeRandomFile(src, size);
    const expected = createHash('sha256')
      .update(await fsp.readFile(src))
      .digest('hex');

    const t0 = performance.now();
    const res = await putUpload(server, 'big.img', fs.createReadStream(src), size);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`upload of 200 MiB: ${seconds.toFixed(2)} s, ${(200 / seconds).toFixed(0)} MiB/s`);

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'big.img', format: 'raw', virtualSize: size, sha256: expected });
    expect(await listDir()).toEqual(['big.img', 'tinylinux.iso']);
    const onDisk = createHash('sha256').update(await fsp.readFile(path.join(images(), 'big.img')));
    expect(onDisk.digest('hex')).toBe(expected);

    await progress.waitFor(
      () => progress.of('big.img', 'upload').some((e) => e.done === size),
      'the last event',
    );
    const events = progress.of('big.img', 'upload');
    expect(events[0]).toMatchObject({ done: 0, total: size });
    expect(events.length).toBeGreaterThanOrEqual(2);
    const dones = events.map((e) => e.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    // At most ~5 a second (200 ms apart), plus the first and the last.
    const span = (events.at(-1)!.at - events[0]!.at) / 1000;
    expect(events.length).toBeLessThanOrEqual(Math.ceil(span * 5) + 3);
  });

  it('refuses an existing name (409) and an oversized upload (413) before writing anything', async () => {
    const taken = await putUpload(server, 'big.img', null, 10 * MiB);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'already_exists' } });

    const huge = await putUpload(server, 'huge.iso', null, 301 * MiB);
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: { code: 'too_large' } });
    expect(errorOf(huge.body)).toMatch(/300 MiB/);
    // Over the limit with bytes on the wire too: the server closes instead of reading them.
    const streamed = await putUpload(server, 'huge2.iso', Buffer.alloc(2 * MiB), 400 * MiB).catch(
      (err: unknown) => ({ status: -1, body: String(err) }),
    );
    expect([413, -1]).toContain(streamed.status);
    expect(await listDir()).toEqual(['big.img', 'tinylinux.iso']);
  });

  it('leaves nothing behind when the client breaks off mid-way, and the name is free again', async () => {
    (await partialUpload(server, 'broken.iso', 100 * MiB, 40 * MiB)).breakOff();
    const t0 = Date.now();
    while ((await listDir()).length !== 2 && Date.now() - t0 < 10_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(await listDir()).toEqual(['big.img', 'tinylinux.iso']);
    expect(progress.of('broken.iso', 'upload').at(-1)?.done ?? 0).toBeGreaterThan(0);

    const ok = await putUpload(server, 'broken.iso', Buffer.alloc(MiB, 1), MiB);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      sha256: createHash('sha256').update(Buffer.alloc(MiB, 1)).digest('hex'),
    });
    expect((await server.api('DELETE', '/api/images/broken.iso')).status).toBe(204);
  });

  it('refuses bad names, a missing length, and an image whose backing file is outside the store', async () => {
    for (const name of ['a..b', '.hidden', 'a b', 'x.part', 'n'.repeat(129), '../escape', 'x\u0000y']) {
      const res = await putUpload(server, name, Buffer.alloc(1024), 1024);
      expect(res.status, name).toBe(400);
    }
    const chunked = await putUpload(server, 'chunked.img', Buffer.alloc(1024), null);
    expect(chunked.status).toBe(411);

    // A qcow2 overlay whose header points at a host file: uploading it would let a guest read that file.
    const secret = path.join(scratch, 'secret.raw');
    await fsp.writeFile(secret, Buffer.alloc(MiB, 9));
    const evil = path.join(scratch, 'evil.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', secret, '-F', 'raw', evil]);
    const bytes = await fsp.readFile(evil);
    const res = await putUpload(server, 'evil.qcow2', bytes, bytes.length);
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatch(/outside the images directory/);
    const descriptor = Buffer.from(
      `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2048 FLAT "${secret}" 0\n`,
    );
    const vmdk = await putUpload(server, 'extent.vmdk', descriptor, descriptor.length);
    expect(vmdk.status).toBe(400);
    expect(errorOf(vmdk.body)).toMatch(/data file .* is outside the images directory/);

    expect(await listDir()).toEqual(['big.img', 'tinylinux.iso']);
    expect(await fsp.readdir(dataDir)).not.toContain('escape');
  });

  it('serialises operations: a second upload or a create of the same name is busy (409)', async () => {
    const slow = await partialUpload(server, 'slow.img', 50 * MiB, 10 * MiB);
    await progress.waitFor(() => progress.of('slow.img', 'upload').length > 0, 'the upload to start');
    const second = await putUpload(server, 'slow.img', Buffer.alloc(1024), 1024);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'busy' } });
    const create = await server.api('POST', '/api/images', { name: 'slow.img', format: 'raw', size: '1M' });
    expect(create.status).toBe(409);
    const convert = await server.api('POST', '/api/images/big.img/convert', {
      target: 'slow.img',
      format: 'qcow2',
    });
    expect(convert.status).toBe(409);
    slow.breakOff();
    const t0 = Date.now();
    while ((await listDir()).length !== 2 && Date.now() - t0 < 10_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(await listDir()).toEqual(['big.img', 'tinylinux.iso']);
  });
});
