import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createVarsFile, ImageExistsError } from '@virtweb/qemu';

/**
 * Each UEFI guest's own copy of the OVMF variable store (boot entries, Secure Boot keys):
 * `<data>/nvram/<id>_VARS.fd`. Made from the template at the guest's first UEFI start, copied with a clone,
 * removed with the VM.
 */
export class NvramStore {
  constructor(readonly dir: string) {}

  path(id: string): string {
    return path.join(this.dir, `${id}_VARS.fd`);
  }

  async exists(id: string): Promise<boolean> {
    return fs.access(this.path(id)).then(
      () => true,
      () => false,
    );
  }

  /** Creates the store from `template` unless the guest has one (exclusive: never overwrites it). */
  async ensure(id: string, template: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await createVarsFile(template, this.path(id));
    } catch (err) {
      if (!(err instanceof ImageExistsError)) throw err;
    }
  }

  /** A clone's copy of the source's store, if the source has one. Returns whether one was copied. */
  async copy(fromId: string, toId: string): Promise<boolean> {
    if (!(await this.exists(fromId))) return false;
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.copyFile(this.path(fromId), this.path(toId), constants.COPYFILE_EXCL);
    return true;
  }

  /** The store's bytes, or undefined when the guest has none yet (a UEFI guest never started). */
  async read(id: string): Promise<Buffer | undefined> {
    return fs.readFile(this.path(id)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
  }

  /** A store that arrived from another host (a migration): exclusive create, mode 0600. */
  async write(id: string, bytes: Uint8Array): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(this.path(id), bytes, { flag: 'wx', mode: 0o600 });
  }

  /**
   * Removes the store (a VM deleted, or its firmware changed: a store belongs to one OVMF build). A running
   * qemu keeps the file it has open; the next start makes a new one.
   */
  async remove(id: string): Promise<void> {
    await fs.rm(this.path(id), { force: true });
  }
}
