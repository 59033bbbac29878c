import fs from 'node:fs/promises';
import path from 'node:path';

/** swtpm's file of a TPM 2.0's whole persistent state (`--tpmstate dir=`): its presence means manufactured. */
export const TPM2_STATE_FILE = 'tpm2-00.permall';

/**
 * Each TPM guest's emulated TPM state (swtpm's `--tpmstate` dir: keys, NV indices, PCR banks):
 * `<data>/tpm/<id>/`. Made by swtpm_setup at the guest's first start with a TPM, copied with a clone, carried
 * by a migration, removed with the VM. The dir belongs to qemu's user while swtpm uses it.
 */
export class TpmStateStore {
  constructor(readonly dir: string) {}

  path(id: string): string {
    return path.join(this.dir, id);
  }

  /** Whether the guest's TPM has been manufactured (swtpm_setup ran, or a state arrived). */
  async exists(id: string): Promise<boolean> {
    return fs.access(path.join(this.path(id), TPM2_STATE_FILE)).then(
      () => true,
      () => false,
    );
  }

  /** Makes the (empty) state dir unless the guest has one. */
  async ensureDir(id: string): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.path(id), { recursive: true, mode: 0o700 });
    return this.path(id);
  }

  /** A clone's copy of the source's state, if it has one. Returns whether one was copied. */
  async copy(fromId: string, toId: string): Promise<boolean> {
    const state = await this.read(fromId);
    if (state === undefined) return false;
    await this.write(toId, state);
    return true;
  }

  /** The state file's bytes, or undefined when the guest's TPM was never manufactured. */
  async read(id: string): Promise<Buffer | undefined> {
    return fs.readFile(path.join(this.path(id), TPM2_STATE_FILE)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
  }

  /** A state that arrived from elsewhere (a clone's source, a migration): exclusive create, mode 0600. */
  async write(id: string, bytes: Uint8Array): Promise<void> {
    const dir = await this.ensureDir(id);
    await fs.writeFile(path.join(dir, TPM2_STATE_FILE), bytes, { flag: 'wx', mode: 0o600 });
  }

  /** Removes the state (a VM deleted): its TPM's keys and secrets are gone with it. */
  async remove(id: string): Promise<void> {
    await fs.rm(this.path(id), { recursive: true, force: true });
  }
}
