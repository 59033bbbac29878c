// The identity of an image store: a random UUID in a hidden file of the images dir, made on the first start.
// Two servers whose images dirs are really one directory (NFS, a bind mount) read the same id: that, and never
// images of the same name and size, is what "shared storage" means to a migration.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Hidden (a leading dot is never an image name), so never listed or addressed as an image. */
export const STORE_ID_FILE = '.virtweb-store-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The store id of `imagesDir`, written (0600, atomically) when there is none. A file that does not hold an id
 * is replaced by a new one: a new id only ever makes a move copy its disks, never skip copying.
 */
export async function loadStoreId(imagesDir: string): Promise<string> {
  const file = path.join(imagesDir, STORE_ID_FILE);
  const existing = await readId(file);
  if (existing !== undefined) return existing;
  const id = randomUUID();
  // A hidden `.part` name: a crash leaves nothing the next start does not remove (removeLeftoverParts).
  const temp = path.join(imagesDir, `${STORE_ID_FILE}.${randomBytes(4).toString('hex')}.part`);
  await fs.writeFile(temp, `${id}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (
      await fs
        .lstat(file)
        .then(() => true)
        .catch(() => false)
    ) {
      console.log(`virtweb: ${file} held no store id; it now holds a new one`);
      await fs.rename(temp, file);
      return id;
    }
    // NOTE: link, not rename: a second server starting at once on the same (shared) dir must not replace the
    // id the first one wrote and may already have told its peers; it takes that id instead.
    await fs.link(temp, file).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
  } finally {
    await fs.rm(temp, { force: true });
  }
  const written = await readId(file);
  if (written === undefined) throw new Error(`${file}: no store id after writing one`);
  return written;
}

async function readId(file: string): Promise<string | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const id = text?.trim();
  return id !== undefined && UUID.test(id) ? id : undefined;
}
