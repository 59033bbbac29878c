import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesDirEntries } from './harness.ts';
import { MiB } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';

// No image operation may read or write a path outside the images dir, whatever an image file says.
describe('image store boundaries', () => {
  const server = useServer();
  const { dataDir } = server;
  let outside: string;
  const images = () => path.join(dataDir, 'images');
  const listDir = () => imagesDirEntries(images());
  const get = async (name: string) =>
    (await server.api('GET', `/api/images/${name}`)).body as { problem?: string };

  beforeAll(async () => {
    outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'vw-out-'));
  });
  afterAll(async () => {
    await fsp.rm(outside, { recursive: true, force: true });
  });

  it('never follows a path outside the images dir: outside backing files and links are refused', async () => {
    const secret = path.join(outside, 'secret.raw');
    await fsp.writeFile(secret, Buffer.alloc(MiB, 5));
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      secret,
      '-F',
      'raw',
      path.join(images(), 'evil.qcow2'),
    ]);
    await fsp.symlink(secret, path.join(images(), 'link.raw'));
    // Other ways an image names host files: a vmdk descriptor's extent, a qcow2 external data file.
    const descriptor = [
      '# Disk DescriptorFile',
      'version=1',
      'CID=fffffffe',
      'parentCID=ffffffff',
      'createType="monolithicFlat"',
      `RW 2048 FLAT "${secret}" 0`,
    ].join('\n');
    await fsp.writeFile(path.join(images(), 'extent.vmdk'), `${descriptor}\n`);
    const dataFile = `data_file=${secret},data_file_raw=on`;
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-o',
      dataFile,
      path.join(images(), 'df.qcow2'),
      '1M',
    ]);
    const evil = await get('evil.qcow2');
    expect(evil.problem).toMatch(/outside the images directory/);
    for (const name of ['link.raw', 'extent.vmdk', 'df.qcow2']) {
      expect((await get(name)).problem, name).toMatch(/outside the images directory/);
    }
    for (const [url, body] of [
      ['/api/images/extent.vmdk/convert', { target: 'stolen.raw', format: 'raw' }],
      ['/api/images/df.qcow2/convert', { target: 'stolen.raw', format: 'raw' }],
      ['/api/images/evil.qcow2/convert', { target: 'stolen.raw', format: 'raw' }],
      ['/api/images/link.raw/convert', { target: 'stolen.raw', format: 'raw' }],
      ['/api/images/evil.qcow2/resize', { size: '1G' }],
      ['/api/images/link.raw/resize', { size: '1G' }],
    ] as const) {
      const res = await server.api('POST', url, body);
      expect(res.status, url).toBe(409);
    }
    const overlay = await server.api('POST', '/api/images', {
      name: 'o.qcow2',
      format: 'qcow2',
      backingImage: 'link.raw',
    });
    expect(overlay.status).toBe(400);
    expect((await fsp.stat(secret)).size).toBe(MiB);
    expect(await listDir()).not.toContain('stolen.raw');
    expect((await server.api('DELETE', '/api/images/link.raw')).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/extent.vmdk')).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/df.qcow2')).status).toBe(204);
    expect((await server.api('DELETE', '/api/images/evil.qcow2')).status).toBe(204);
    expect((await fsp.stat(secret)).size).toBe(MiB);
  });

  it('refuses bad names and sizes everywhere, leaving nothing behind', async () => {
    expect(
      (await server.api('POST', '/api/images', { name: 'ok.qcow2', format: 'qcow2', size: '1M' })).status,
    ).toBe(201);
    const names = ['..', '../x', 'a/b', '.hidden', 'x\u0000y', 'x.part', 'n'.repeat(129), ''];
    for (const name of names) {
      const body = { name, format: 'qcow2', size: '1M' };
      expect((await server.api('POST', '/api/images', body)).status, name).toBe(400);
      const convert = { target: name, format: 'raw' };
      expect((await server.api('POST', '/api/images/ok.qcow2/convert', convert)).status, name).toBe(400);
      const overlay = { name: 'o.qcow2', format: 'qcow2', backingImage: name };
      expect((await server.api('POST', '/api/images', overlay)).status, name).toBe(400);
    }
    for (const size of [0, -1, 1.5, '0M', '-5G', '17T', '1X', 'ten', null, true]) {
      expect((await server.api('POST', '/api/images/ok.qcow2/resize', { size })).status, String(size)).toBe(
        400,
      );
      const body = { name: 'sized.raw', format: 'raw', size };
      expect((await server.api('POST', '/api/images', body)).status, String(size)).toBe(400);
    }
    expect(
      (await server.api('POST', '/api/images/..%2F..%2Fetc%2Fpasswd/resize', { size: '1G' })).status,
    ).toBe(400);
    expect(
      (await server.api('POST', '/api/images/..%2Fvirtweb.db/convert', { target: 'x', format: 'raw' }))
        .status,
    ).toBe(400);
    expect(await listDir()).toEqual(['ok.qcow2']);
    const strays = (await fsp.readdir(dataDir)).filter(
      (n) => !/^(images|run|states|nvram|tpm|logs|networks|virtweb\.db(-wal|-shm)?)$/.test(n),
    );
    expect(strays).toEqual([]);
  });
});
