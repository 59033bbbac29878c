import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDisks } from './snapshot-revert.ts';

const run = promisify(execFile);

/** Sets the refcount of cluster 0 (the header) to 0: qemu-img check then finds one corruption. */
async function zeroHeaderRefcount(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    const header = Buffer.alloc(56);
    await fh.read(header, 0, 56, 0);
    const table = header.readBigUInt64BE(48);
    const entry = Buffer.alloc(8);
    await fh.read(entry, 0, 8, Number(table));
    await fh.write(Buffer.alloc(2), 0, 2, Number(entry.readBigUInt64BE(0)));
  } finally {
    await fh.close();
  }
}

describe('reportDisks (what a failed revert left on each disk)', () => {
  let dir = '';
  const disk = (name: string) => ({ index: 0, image: name, path: path.join(dir, name), format: 'qcow2' });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-revert-'));
    for (const name of ['ok.qcow2', 'bad.qcow2']) {
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(dir, name), '16M']);
      await run('qemu-img', ['snapshot', '-c', 's', path.join(dir, name)]);
    }
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('says a consistent disk is reverted, and names the corruptions qemu-img check finds in a damaged one', async () => {
    const ok = await reportDisks({ qemuImg: 'qemu-img', disks: [disk('ok.qcow2')], name: 's' });
    expect(ok.details).toEqual([{ path: 'disks.0', message: 'disk 0 (ok.qcow2): reverted to s' }]);

    await zeroHeaderRefcount(disk('bad.qcow2').path);
    const bad = await reportDisks({ qemuImg: 'qemu-img', disks: [disk('bad.qcow2')], name: 's' });
    expect(bad.details[0]?.message).toMatch(
      /^disk 0 \(bad\.qcow2\): reverted to s; qemu-img check finds 1 corruption\(s\) in it: .*-r all/,
    );
    expect(bad.summary).toBe(bad.details[0]?.message);
  });
});
