import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVarsFile, findOvmf, OVMF_DIR } from './firmware.ts';
import { ImageExistsError } from './qemu-img.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function dirWith(...files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vw-ovmf-'));
  dirs.push(dir);
  await Promise.all(files.map((f) => writeFile(join(dir, f), f)));
  return dir;
}

describe('findOvmf', () => {
  it('says why when nothing is installed', async () => {
    const dir = await dirWith();
    const found = await findOvmf(dir);
    expect(found.uefi).toEqual({
      found: false,
      reason: `no readable OVMF_CODE_4M.fd + OVMF_VARS_4M.fd or OVMF_CODE.fd + OVMF_VARS.fd in ${dir} (install Debian's "ovmf" package)`,
    });
    expect(found.secure.found).toBe(false);
    expect(found.secure.found ? '' : found.secure.reason).toContain('OVMF_VARS_4M.ms.fd');
  });

  it('prefers the 4M pair and falls back to the 2M pair, never mixing the two', async () => {
    const all = await dirWith(
      'OVMF_CODE_4M.fd',
      'OVMF_VARS_4M.fd',
      'OVMF_CODE.fd',
      'OVMF_VARS.fd',
      'OVMF_CODE_4M.secboot.fd',
      'OVMF_VARS_4M.ms.fd',
    );
    expect(await findOvmf(all)).toEqual({
      uefi: { found: true, code: join(all, 'OVMF_CODE_4M.fd'), varsTemplate: join(all, 'OVMF_VARS_4M.fd') },
      secure: {
        found: true,
        code: join(all, 'OVMF_CODE_4M.secboot.fd'),
        varsTemplate: join(all, 'OVMF_VARS_4M.ms.fd'),
      },
    });
    // 4M code without 4M vars: the whole 2M pair, not 4M code with 2M vars.
    const old = await dirWith(
      'OVMF_CODE_4M.fd',
      'OVMF_CODE.fd',
      'OVMF_VARS.fd',
      'OVMF_CODE.secboot.fd',
      'OVMF_VARS.ms.fd',
    );
    expect(await findOvmf(old)).toEqual({
      uefi: { found: true, code: join(old, 'OVMF_CODE.fd'), varsTemplate: join(old, 'OVMF_VARS.fd') },
      secure: {
        found: true,
        code: join(old, 'OVMF_CODE.secboot.fd'),
        varsTemplate: join(old, 'OVMF_VARS.ms.fd'),
      },
    });
  });

  it('does not take a directory for a file', async () => {
    const dir = await dirWith('OVMF_CODE_4M.fd');
    await mkdir(join(dir, 'OVMF_VARS_4M.fd'));
    expect((await findOvmf(dir)).uefi.found).toBe(false);
  });

  it.skipIf(!existsSync(join(OVMF_DIR, 'OVMF_CODE_4M.fd')))(
    'finds Debian 12 ovmf in /usr/share/OVMF',
    async () => {
      const found = await findOvmf();
      expect(found.uefi).toMatchObject({ found: true, code: '/usr/share/OVMF/OVMF_CODE_4M.fd' });
      expect(found.secure).toMatchObject({ found: true, varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd' });
    },
  );
});

describe('createVarsFile', () => {
  it('copies the template, writable by its owner only, and never overwrites', async () => {
    const dir = await dirWith('OVMF_VARS_4M.fd');
    const dest = join(dir, 'vars.fd');
    await createVarsFile(join(dir, 'OVMF_VARS_4M.fd'), dest);
    expect(await readFile(dest, 'utf8')).toBe('OVMF_VARS_4M.fd');
    expect((await stat(dest)).mode & 0o777).toBe(0o600);

    await writeFile(dest, 'guest variables');
    const again = createVarsFile(join(dir, 'OVMF_VARS_4M.fd'), dest);
    await expect(again).rejects.toBeInstanceOf(ImageExistsError);
    await expect(again).rejects.toMatchObject({ code: 'EEXIST', path: dest });
    expect(await readFile(dest, 'utf8')).toBe('guest variables');
    expect((await readdir(dir)).sort()).toEqual(['OVMF_VARS_4M.fd', 'vars.fd']);
  });

  it('fails with the fs error for a missing template and leaves nothing behind', async () => {
    const dir = await dirWith();
    await expect(createVarsFile(join(dir, 'nope.fd'), join(dir, 'vars.fd'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
