import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invalid } from '../domain/errors.ts';
import { resolveSharedFolder } from './shared-root.ts';

describe('resolveSharedFolder', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'virtweb-shared-root-'));
    root = path.join(base, 'root');
    await fs.mkdir(path.join(root, 'site/docs'), { recursive: true });
    await fs.mkdir(path.join(base, 'outside'));
    await fs.writeFile(path.join(root, 'file.txt'), 'x');
    await fs.symlink(path.join(base, 'outside'), path.join(root, 'escape'));
    await fs.symlink('site/docs', path.join(root, 'docs-link'));
  });
  afterAll(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  const refused = async (requested: string) => {
    const err: unknown = await resolveSharedFolder(root, requested).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Invalid);
    return (err as Invalid).message;
  };

  it('resolves a directory inside the root, also through a symlink that stays inside', async () => {
    expect(await resolveSharedFolder(root, 'site')).toBe(path.join(root, 'site'));
    expect(await resolveSharedFolder(root, 'docs-link')).toBe(path.join(root, 'site/docs'));
    expect(await resolveSharedFolder(root, '.')).toBe(root);
  });

  it('refuses a symlink out of the root, .., absolute paths, commas, files and what does not exist', async () => {
    expect(await refused('escape')).toMatch(/leads outside the shared folders root/);
    expect(await refused('site/../../outside')).toMatch(/no \.\. in the path/);
    expect(await refused(path.join(base, 'outside'))).toMatch(/relative to it/);
    expect(await refused('')).toMatch(/relative to it/);
    expect(await refused('a,b')).toMatch(/no commas/);
    expect(await refused('a\nb')).toMatch(/control characters/);
    expect(await refused('file.txt')).toMatch(/not a directory/);
    expect(await refused('nope')).toMatch(/does not exist/);
  });
});
