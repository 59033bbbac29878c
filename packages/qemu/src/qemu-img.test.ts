// Against the real qemu-img in a temp dir.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QemuImgError } from './errors.ts';
import { createImage, ImageExistsError, imageInfo } from './qemu-img.ts';

const MiB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtweb-qemu-img-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createImage + imageInfo', () => {
  it('creates a qcow2 image and reports it', async () => {
    const path = join(dir, 'disk.qcow2');
    await createImage({ path, format: 'qcow2', sizeBytes: 64 * MiB });
    const info = await imageInfo(path);
    expect(info).toMatchObject({ filename: path, format: 'qcow2', virtualSize: 64 * MiB, dirty: false });
    expect(info.clusterSize).toBe(65536);
    expect(info.corrupt).toBe(false);
    expect(info.formatSpecific).toMatchObject({ type: 'qcow2', data: { compat: '1.1', refcountBits: 16 } });
    expect(info.actualSize).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual(['disk.qcow2']);
  });

  it('creates a raw image', async () => {
    const path = join(dir, 'disk.raw');
    await createImage({ path, format: 'raw', sizeBytes: 3 * MiB });
    expect(await imageInfo(path)).toMatchObject({ format: 'raw', virtualSize: 3 * MiB });
    expect(await readdir(dir)).toEqual(['disk.raw']);
  });

  it('creates an overlay and follows the backing chain', async () => {
    const base = join(dir, 'base.qcow2');
    const overlay = join(dir, 'overlay.qcow2');
    await createImage({ path: base, format: 'qcow2', sizeBytes: 16 * MiB });
    // A relative backing name is resolved against the overlay's directory, the temp file's too.
    await createImage({ path: overlay, format: 'qcow2', backingFile: 'base.qcow2', backingFormat: 'qcow2' });
    const chain = await imageInfo(overlay, { backingChain: true });
    expect(chain.map((i) => i.filename)).toEqual([overlay, base]);
    expect(chain[0]).toMatchObject({
      virtualSize: 16 * MiB,
      backingFilename: 'base.qcow2',
      fullBackingFilename: base,
      backingFilenameFormat: 'qcow2',
    });
    expect(chain[1]?.backingFilename).toBeUndefined();
  });
});

describe('failures leave nothing behind', () => {
  it('reports qemu-img stderr for a missing directory', async () => {
    const path = join(dir, 'missing', 'disk.qcow2');
    const err = await createImage({ path, format: 'qcow2', sizeBytes: MiB }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuImgError);
    const e = err as QemuImgError;
    expect(e.exitCode).toBe(1);
    expect(e.stderr).toMatch(/No such file or directory/);
    expect(e.message).toMatch(/^qemu-img create failed: qemu-img: /);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an existing file and keeps it untouched', async () => {
    const path = join(dir, 'taken.qcow2');
    await writeFile(path, 'precious');
    await expect(createImage({ path, format: 'qcow2', sizeBytes: MiB })).rejects.toBeInstanceOf(
      ImageExistsError,
    );
    expect(await readdir(dir)).toEqual(['taken.qcow2']);
  });

  it('removes the temp file when qemu-img fails after starting (missing backing file)', async () => {
    const path = join(dir, 'overlay.qcow2');
    const err = await createImage({
      path,
      format: 'qcow2',
      sizeBytes: MiB,
      backingFile: join(dir, 'nope.qcow2'),
      backingFormat: 'qcow2',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuImgError);
    expect((err as QemuImgError).stderr).toMatch(/nope\.qcow2/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a size qcow2 cannot hold, with qemu-img words', async () => {
    const path = join(dir, 'huge.qcow2');
    const sizeBytes = Number.MAX_SAFE_INTEGER;
    const err = await createImage({ path, format: 'qcow2', sizeBytes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuImgError);
    expect((err as QemuImgError).stderr).toMatch(/too large for file format 'qcow2'/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects calls it cannot turn into a command', async () => {
    const path = join(dir, 'x.qcow2');
    await expect(createImage({ path, format: 'qcow2' })).rejects.toThrow(RangeError);
    await expect(createImage({ path, format: 'qcow2', backingFile: 'b' })).rejects.toThrow(/backingFormat/);
    await expect(createImage({ path, format: 'raw', sizeBytes: -1 })).rejects.toThrow(RangeError);
  });

  it('reports a missing image and a missing binary', async () => {
    const err = await imageInfo(join(dir, 'none.qcow2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuImgError);
    expect((err as QemuImgError).stderr).toMatch(/Could not open/);
    const noBin = await imageInfo(join(dir, 'x'), { binary: join(dir, 'no-qemu-img') }).catch(
      (e: unknown) => e,
    );
    expect(noBin).toBeInstanceOf(QemuImgError);
    expect((noBin as QemuImgError).exitCode).toBeNull();
    expect((noBin as QemuImgError).message).toMatch(/ENOENT/);
  });
});
