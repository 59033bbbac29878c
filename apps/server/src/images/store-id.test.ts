// The image store's identity and the marks of old copies: plain files in the images dir, never images.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/bus.ts';
import { ImageService } from './image-service.ts';
import { OldCopies } from './old-copies.ts';
import { loadStoreId, STORE_ID_FILE } from './store-id.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-store-'));
  dirs.push(dir);
  return dir;
}

describe('store id', () => {
  it('is made once (0600, a UUID), read back after, and the same for every server on that dir', async () => {
    const dir = await tempDir();
    const ids = await Promise.all([loadStoreId(dir), loadStoreId(dir), loadStoreId(dir)]);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const st = await fs.stat(path.join(dir, STORE_ID_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect(await loadStoreId(dir)).toBe(ids[0]);
    // Nothing else is left in the dir (the temp file is gone).
    expect(await fs.readdir(dir)).toEqual([STORE_ID_FILE]);
    expect(await loadStoreId(await tempDir())).not.toBe(ids[0]);
  });

  it('replaces a file that holds no id', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, STORE_ID_FILE), 'garbage');
    const id = await loadStoreId(dir);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fs.readFile(path.join(dir, STORE_ID_FILE), 'utf8')).trim()).toBe(id);
  });

  it('is known to the image service after init, and neither it nor a mark is listed as an image', async () => {
    const dir = await tempDir();
    const images = new ImageService(dir, 'qemu-img', new EventBus());
    expect(() => images.storeId).toThrow(/not initialised/);
    await images.init();
    expect(images.storeId).toBe(await loadStoreId(dir));
    await images.oldCopies.mark('disk.qcow2', { vmName: 'web1', host: 'host-b', movedAt: 'now' });
    expect(await images.list()).toEqual([]);
    await expect(images.get(STORE_ID_FILE)).rejects.toThrow(/leading dot/);
  });
});

describe('old copies', () => {
  it('marks, reads, lists and forgets by image name; refuses a name that is not an image name', async () => {
    const dir = await tempDir();
    const marks = new OldCopies(dir);
    const mark = { vmName: 'web1', host: 'host-b', movedAt: '2026-03-04T05:06:07.000Z' };
    expect(await marks.get('disk.qcow2')).toBeUndefined();
    await marks.mark('disk.qcow2', mark);
    expect(await marks.get('disk.qcow2')).toEqual(mark);
    expect(await marks.all()).toEqual(new Map([['disk.qcow2', mark]]));
    await marks.forget('disk.qcow2');
    expect(await marks.get('disk.qcow2')).toBeUndefined();
    await expect(marks.mark('../escape', mark)).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
