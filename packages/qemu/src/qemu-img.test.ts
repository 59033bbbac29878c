// Against the real qemu-img in a temp dir.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QemuImgError } from './errors.ts';
import { convertImage, createImage, ImageExistsError, imageInfo, resizeImage } from './qemu-img.ts';

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

describe('resizeImage', () => {
  it('grows qcow2 and raw, and shrinks only with shrink: true', async () => {
    const q = join(dir, 'd.qcow2');
    const r = join(dir, 'd.raw');
    await createImage({ path: q, format: 'qcow2', sizeBytes: 16 * MiB });
    await createImage({ path: r, format: 'raw', sizeBytes: 16 * MiB });
    await resizeImage({ path: q, format: 'qcow2', sizeBytes: 32 * MiB });
    await resizeImage({ path: r, format: 'raw', sizeBytes: 48 * MiB });
    expect((await imageInfo(q)).virtualSize).toBe(32 * MiB);
    expect((await imageInfo(r)).virtualSize).toBe(48 * MiB);

    for (const [path, format] of [
      [q, 'qcow2'],
      [r, 'raw'],
    ] as const) {
      const err = await resizeImage({ path, format, sizeBytes: 8 * MiB }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QemuImgError);
      expect((err as QemuImgError).stderr).toMatch(/--shrink/);
      await resizeImage({ path, format, sizeBytes: 8 * MiB, shrink: true });
      expect((await imageInfo(path)).virtualSize).toBe(8 * MiB);
    }
  });

  it('reports formats that cannot resize in qemu-img words, and refuses bad sizes', async () => {
    const v = join(dir, 'd.vmdk');
    await createImage({ path: v, format: 'vmdk', sizeBytes: 16 * MiB });
    const err = await resizeImage({ path: v, format: 'vmdk', sizeBytes: 32 * MiB }).catch((e: unknown) => e);
    expect((err as QemuImgError).stderr).toMatch(/does not support resize/);
    await expect(resizeImage({ path: v, format: 'vmdk', sizeBytes: 0 })).rejects.toThrow(RangeError);
  });
});

describe('convertImage', () => {
  it('converts raw data to every format with -p progress, leaving the source untouched', async () => {
    const src = join(dir, 'src.raw');
    const data = randomBytes(8 * MiB);
    await writeFile(src, data);
    const before = await readFile(src);
    for (const fmt of ['qcow2', 'vmdk', 'vdi', 'raw'] as const) {
      const target = join(dir, `out.${fmt}`);
      const seen: number[] = [];
      await convertImage(
        { source: src, sourceFormat: 'raw', target, targetFormat: fmt, onProgress: (p) => seen.push(p) },
        {},
      );
      const info = await imageInfo(target);
      expect(info).toMatchObject({ format: fmt, virtualSize: 8 * MiB });
      expect(seen.at(-1)).toBe(100);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    expect((await readFile(src)).equals(before)).toBe(true);
    // Back from qcow2 to raw: the same bytes.
    const back = join(dir, 'back.raw');
    await convertImage({
      source: join(dir, 'out.qcow2'),
      sourceFormat: 'qcow2',
      target: back,
      targetFormat: 'raw',
    });
    expect((await readFile(back)).equals(data)).toBe(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('flattens an overlay into a standalone image', async () => {
    const base = join(dir, 'base.qcow2');
    await createImage({ path: base, format: 'qcow2', sizeBytes: 4 * MiB });
    const overlay = join(dir, 'ov.qcow2');
    await createImage({ path: overlay, format: 'qcow2', backingFile: 'base.qcow2', backingFormat: 'qcow2' });
    const flat = join(dir, 'flat.qcow2');
    await convertImage({ source: overlay, sourceFormat: 'qcow2', target: flat, targetFormat: 'qcow2' });
    expect((await imageInfo(flat)).backingFilename).toBeUndefined();
  });

  it('refuses an existing target, cleans up after a failure and after an abort', async () => {
    const src = join(dir, 'src.raw');
    await writeFile(src, randomBytes(MiB));
    await writeFile(join(dir, 'taken.qcow2'), 'precious');
    await expect(
      convertImage({
        source: src,
        sourceFormat: 'raw',
        target: join(dir, 'taken.qcow2'),
        targetFormat: 'qcow2',
      }),
    ).rejects.toBeInstanceOf(ImageExistsError);
    const bad = await convertImage({
      source: src,
      sourceFormat: 'qcow2',
      target: join(dir, 'x.qcow2'),
      targetFormat: 'qcow2',
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(QemuImgError);
    expect((bad as QemuImgError).stderr).toMatch(/qcow2/);

    const big = join(dir, 'big.raw');
    await writeFile(big, randomBytes(64 * MiB));
    const ctl = new AbortController();
    const aborted = convertImage(
      {
        source: big,
        sourceFormat: 'raw',
        target: join(dir, 'y.vdi'),
        targetFormat: 'vdi',
        onProgress: (p) => p > 0 && ctl.abort(),
      },
      { signal: ctl.signal },
    ).catch((e: unknown) => e);
    expect(await aborted).toBeInstanceOf(QemuImgError);
    expect((await readdir(dir)).sort()).toEqual(['big.raw', 'src.raw', 'taken.qcow2']);
  });

  it('lets verify see the whole output under its temp name and refuse it: nothing is kept', async () => {
    const src = join(dir, 'src.raw');
    await writeFile(src, randomBytes(MiB));
    const seen: string[] = [];
    const refused = await convertImage({
      source: src,
      sourceFormat: 'raw',
      target: join(dir, 'out.qcow2'),
      targetFormat: 'qcow2',
      verify: async (temp) => {
        seen.push(temp);
        expect((await imageInfo(temp)).format).toBe('qcow2');
        throw new Error('not this one');
      },
    }).catch((e: unknown) => e);
    expect((refused as Error).message).toBe('not this one');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/\/\.out\.qcow2\.[0-9a-f]+\.part$/);
    expect(await readdir(dir)).toEqual(['src.raw']);
  });
});

describe('imageInfo with a format', () => {
  it('reads the image as the format qemu will be told, not as what its bytes look like', async () => {
    // A raw file whose bytes are a qcow2 header (as a guest may write into its raw disk).
    const header = join(dir, 'header.qcow2');
    await createImage({ path: header, format: 'qcow2', sizeBytes: MiB });
    const raw = join(dir, 'disk.raw');
    await writeFile(raw, Buffer.concat([await readFile(header), Buffer.alloc(MiB)]));
    expect((await imageInfo(raw)).format).toBe('qcow2');
    expect((await imageInfo(raw, { format: 'raw' })).format).toBe('raw');
    const plain = join(dir, 'plain.raw');
    await writeFile(plain, Buffer.alloc(MiB));
    const err = await imageInfo(plain, { format: 'qcow2' }).catch((e: unknown) => e);
    expect((err as QemuImgError).stderr).toMatch(/qcow2/);
  });
});

describe('imageInfo timeouts', () => {
  it('kills a qemu-img that does not answer in time', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const err = await imageInfo(fifo, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuImgError);
    expect((err as QemuImgError).message).toMatch(/no answer within 300 ms/);
  });
});
