// Images a move left behind: after a move that copied a VM's disks to another host, the copies here are not
// the VM's disks any more. Each is marked by a small hidden file next to it in the images dir, so the mark
// belongs to the store (every server sharing the store sees it, and it outlives the database) and needs no
// read-modify-write of a shared list. A mark goes with the image: deleting it, or making a new image of that
// name (a later copy into it), removes it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LeftBehindSchema, type LeftBehind } from '@virtweb/protocol';
import { imagePath } from './image-paths.ts';

const PREFIX = '.virtweb-old-copy.';

export class OldCopies {
  constructor(private readonly imagesDir: string) {}

  /** Marks image `name` as an old copy (replacing an earlier mark). */
  async mark(name: string, mark: LeftBehind): Promise<void> {
    const file = this.file(name);
    const temp = `${file}.${randomBytes(4).toString('hex')}.part`;
    await fs.writeFile(temp, JSON.stringify(LeftBehindSchema.parse(mark)), { mode: 0o644 });
    await fs.rename(temp, file);
  }

  async get(name: string): Promise<LeftBehind | undefined> {
    return readMark(this.file(name));
  }

  /** Every mark, by image name (marks of images that are gone included: the caller lists images). */
  async all(): Promise<Map<string, LeftBehind>> {
    const names = (await fs.readdir(this.imagesDir)).filter(
      (n) => n.startsWith(PREFIX) && !n.endsWith('.part'),
    );
    const marks = await Promise.all(
      names.map(async (n) => [n.slice(PREFIX.length), await readMark(path.join(this.imagesDir, n))] as const),
    );
    return new Map(marks.filter((m): m is readonly [string, LeftBehind] => m[1] !== undefined));
  }

  async forget(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true });
  }

  /** The mark's file; the image name is validated as for the image itself (nothing outside the dir). */
  private file(name: string): string {
    return path.join(this.imagesDir, `${PREFIX}${path.basename(imagePath(this.imagesDir, name))}`);
  }
}

async function readMark(file: string): Promise<LeftBehind | undefined> {
  try {
    const parsed = LeftBehindSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
