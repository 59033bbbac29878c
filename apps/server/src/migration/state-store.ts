// The saved-states store `<data>/states`: `<name>.vmstate.zst` files (qemu's stream through zstd) and a JSON
// sidecar each, with what a restore must check: the VM, its configuration, and its disks as they were.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ImageNameSchema, ResolvedAccelSchema, type SavedState } from '@virtweb/protocol';
import { Invalid, NotFound } from '../domain/errors.ts';
import { VmDefinitionSchema, type VmDefinition } from '../vms/definition.ts';
import { pendingChanges } from '../vms/pending-changes.ts';

export const STATE_SUFFIX = '.vmstate.zst';

export const SidecarSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  createdAt: z.string(),
  /** The VM's definition when it was saved: a restore needs the same hardware. */
  definition: z.unknown(),
  /** The accelerator the guest ran with (the state only loads into the same one). */
  accel: ResolvedAccelSchema,
  qemuVersion: z.string(),
  /** The disks after qemu quit: a restore after any change to them would corrupt the guest's file systems. */
  disks: z.array(z.object({ image: z.string(), sizeBytes: z.number(), mtimeMs: z.number() })),
  streamBytes: z.number(),
  /** The guest was paused when saved: it is restored paused. */
  paused: z.boolean().default(false),
});
export type Sidecar = z.infer<typeof SidecarSchema>;

/** Where the states are, and the checks on their names. */
export class StateStore {
  constructor(readonly dir: string) {}

  /**
   * Creates the directory and removes what saves a stopped server left unfinished: `.part` files, and state
   * files without a sidecar (written last, after the guest quit).
   */
  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = await fs.readdir(this.dir);
    for (const name of names) {
      const unfinished =
        name.endsWith('.part') ||
        name.endsWith('.tmp') ||
        (name.endsWith(STATE_SUFFIX) && !names.includes(`${name}.json`));
      if (unfinished) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  /** A state file name: the request's (with the suffix added when missing) or `<vm>-<date>`. */
  fileName(vmName: string, requested: string | undefined): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const base = requested ?? `${vmName}-${stamp}`;
    const name = base.endsWith(STATE_SUFFIX) ? base : `${base}${STATE_SUFFIX}`;
    if (!ImageNameSchema.safeParse(name).success) {
      throw new Invalid(`name: ${name} is not a usable file name`, [
        { path: 'name', message: 'not a usable file name' },
      ]);
    }
    return name;
  }

  /** The file of a state named in a URL. @throws NotFound for names that cannot be states */
  path(name: string): string {
    if (!ImageNameSchema.safeParse(name).success || !name.endsWith(STATE_SUFFIX)) {
      throw new NotFound(`saved state ${name}`);
    }
    return path.join(this.dir, name);
  }

  async exists(name: string): Promise<boolean> {
    return fs.access(this.path(name)).then(
      () => true,
      () => false,
    );
  }

  /** Every state with a sidecar (a file without one is a save that did not finish), newest first. */
  async list(): Promise<SavedState[]> {
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith(STATE_SUFFIX));
    const states = await Promise.all(
      names.map(async (name): Promise<SavedState | undefined> => {
        const sidecar = await this.sidecar(name).catch(() => undefined);
        const stat = await fs.stat(this.path(name)).catch(() => undefined);
        if (!sidecar || !stat) return undefined;
        const { vmId, vmName, createdAt } = sidecar;
        return { name, vmId, vmName, createdAt, sizeBytes: stat.size };
      }),
    );
    return states
      .filter((s): s is SavedState => s !== undefined)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** @throws NotFound when there is no such state (or it has no sidecar) */
  async sidecar(name: string): Promise<Sidecar> {
    const file = `${this.path(name)}.json`;
    const text = await fs.readFile(file, 'utf8').catch(() => {
      throw new NotFound(`saved state ${name}`);
    });
    const parsed = SidecarSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new NotFound(`saved state ${name} (its description is unreadable)`);
    return parsed.data;
  }

  async writeSidecar(name: string, sidecar: Sidecar): Promise<void> {
    const file = `${this.path(name)}.json`;
    await fs.writeFile(`${file}.tmp`, JSON.stringify(sidecar), { mode: 0o600 });
    await fs.rename(`${file}.tmp`, file);
  }

  /** @throws NotFound */
  async remove(name: string): Promise<void> {
    const file = this.path(name);
    if (!(await this.exists(name))) throw new NotFound(`saved state ${name}`);
    await fs.rm(file, { force: true });
    await fs.rm(`${file}.json`, { force: true });
  }
}

/** Size and modification time of each disk image, for the sidecar and the restore's check. */
export async function diskFacts(
  def: VmDefinition,
  pathOf: (image: string) => string,
): Promise<Sidecar['disks']> {
  return Promise.all(
    def.disks.map(async (d) => {
      const stat = await fs.stat(pathOf(d.image));
      return { image: d.image, sizeBytes: stat.size, mtimeMs: stat.mtimeMs };
    }),
  );
}

/**
 * Why a state cannot be loaded into the VM as it is now: hardware that differs (a state only loads into the
 * same devices), or disks changed since the save. Empty when it can.
 */
export async function restoreProblems(
  sidecar: Sidecar,
  current: VmDefinition,
  pathOf: (image: string) => string,
): Promise<string[]> {
  const problems: string[] = [];
  const saved = VmDefinitionSchema.safeParse(sidecar.definition);
  if (!saved.success) return ['the saved configuration is unreadable'];
  const changed = pendingChanges(saved.data, current).filter((f) => f !== 'os' && f !== 'accel');
  const slots = (d: VmDefinition) => d.disks.map(({ image, index, bus }) => ({ image, index, bus }));
  if (!isDeepStrictEqual(slots(saved.data), slots(current))) changed.push('disks');
  if (saved.data.cdrom !== current.cdrom) changed.push('cdrom');
  if (changed.length > 0) {
    problems.push(
      `the VM's ${changed.join(', ')} changed since the save: a state only loads into the same hardware`,
    );
  }
  const now = await diskFacts(current, pathOf).catch(() => undefined);
  for (const before of sidecar.disks) {
    const after = now?.find((d) => d.image === before.image);
    if (after && (after.mtimeMs !== before.mtimeMs || after.sizeBytes !== before.sizeBytes)) {
      problems.push(
        `disk ${before.image} changed since the save (the VM ran, or the image was edited): restoring would corrupt its file systems`,
      );
    } else if (!after && !changed.includes('disks')) problems.push(`disk ${before.image} is gone`);
  }
  return problems;
}
