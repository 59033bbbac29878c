import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsAsSnapshot } from './qcow2-tables.ts';

const run = promisify(execFile);

describe('readsAsSnapshot (qcow2 L1 tables)', () => {
  let dir = '';
  let disk = '';
  const write = (pattern: number) =>
    run('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} 1M 64k`, disk]);
  const snapshot = (flag: '-c' | '-a', name: string) => run('qemu-img', ['snapshot', flag, name, disk]);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-qcow2-'));
    disk = path.join(dir, 'd.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('tells a disk that holds a snapshot from one written since, and finds it again after a revert', async () => {
    await write(1);
    await snapshot('-c', 'first');
    expect(await readsAsSnapshot(disk, 'first')).toBe(true);
    await write(2);
    await snapshot('-c', 'second');
    expect(await readsAsSnapshot(disk, 'first')).toBe(false);
    expect(await readsAsSnapshot(disk, 'second')).toBe(true);
    await snapshot('-a', 'first');
    expect(await readsAsSnapshot(disk, 'first')).toBe(true);
    expect(await readsAsSnapshot(disk, 'second')).toBe(false);
    expect(await readsAsSnapshot(disk, 'nope')).toBe(false);
  });

  it('counts a size change since the snapshot as a difference', async () => {
    await snapshot('-c', 'small');
    await run('qemu-img', ['resize', '-q', disk, '32M']);
    expect(await readsAsSnapshot(disk, 'small')).toBe(false);
  });

  it('refuses a file that is not qcow2', async () => {
    const raw = path.join(dir, 'r.raw');
    await fs.writeFile(raw, Buffer.alloc(4096));
    await expect(readsAsSnapshot(raw, 'x')).rejects.toThrow(/not a qcow2/);
  });
});
