// The swtpm helper with the real swtpm and swtpm_setup (Debian's swtpm + swtpm-tools), run as the test's user.
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath, swtpmProblem } from '../../host/swtpm-tools.ts';
import { swtpmPaths, SwtpmProcess } from './swtpm.ts';

let dir = '';
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-swtpm-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Live swtpm processes serving a socket in `dir`. */
function swtpmsIn(d: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        const state = readFileSync(`/proc/${p}/stat`, 'utf8');
        return cmd.startsWith('swtpm') && cmd.includes(d) && !/\) Z /.test(state);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('swtpm', () => {
  it('is found on PATH, and its absence names the Debian packages', async () => {
    expect(await findOnPath('swtpm')).toMatch(/\/swtpm$/);
    expect(await findOnPath('swtpm', '/nonexistent:')).toBeUndefined();
    expect(await swtpmProblem()).toBeUndefined();
    expect(await swtpmProblem('/nonexistent')).toBe(
      'swtpm and swtpm_setup not found: a TPM 2.0 needs swtpm and swtpm_setup on the host ' +
        '(Debian: apt-get install swtpm swtpm-tools; scripts/setup installs them)',
    );
  });

  it('manufactures a TPM at first use, serves its control socket, and stops', async () => {
    const state = path.join(dir, 'state');
    await fs.mkdir(state);
    const paths = swtpmPaths(dir, state);
    const tpm = await SwtpmProcess.start(paths, undefined, true);
    expect((await fs.stat(path.join(state, 'tpm2-00.permall'))).size).toBeGreaterThan(1000);
    expect((await fs.stat(paths.socket)).isSocket()).toBe(true);
    expect(swtpmsIn(dir)).toEqual([tpm.pid]);
    // After a server restart it is found again by its pidfile; reap ends it.
    expect((await SwtpmProcess.adopt(paths))?.pid).toBe(tpm.pid);
    await SwtpmProcess.reap(paths);
    expect(swtpmsIn(dir)).toEqual([]);
    expect(await SwtpmProcess.adopt(paths)).toBeUndefined();
  });

  it("fails with swtpm's own words when it cannot start, leaving nothing running", async () => {
    // (A missing state dir is only noticed at the TPM's first command; a pidfile it cannot write, at once.)
    const paths = { ...swtpmPaths(dir, dir), pid: path.join(dir, 'gone', 'swtpm.pid') };
    await expect(SwtpmProcess.start(paths, undefined, false)).rejects.toThrow(
      /^swtpm did not start \(exited with code 1\): swtpm: Could not open pidfile .*gone\/swtpm.pid/,
    );
    expect(swtpmsIn(dir)).toEqual([]);
  });

  it('reports its death while qemu runs (with how it ended), not when qemu ends too', async () => {
    const paths = swtpmPaths(dir, dir);
    const tpm = await SwtpmProcess.start(paths, undefined, true);
    const heard = new Promise<string>((resolve) => tpm.onDeath(resolve));
    tpm.watch(new Promise(() => undefined)); // qemu runs on
    process.kill(tpm.pid, 'SIGKILL');
    expect(await heard).toMatch(
      /^the TPM emulator \(swtpm, pid \d+\) was killed by SIGKILL while the guest runs/,
    );
    expect(tpm.fault).toBe(await heard);

    const quiet = await SwtpmProcess.start(paths, undefined, false);
    let reported = false;
    quiet.onDeath(() => (reported = true));
    quiet.watch(Promise.resolve()); // qemu exited: swtpm's end is expected
    await quiet.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(reported).toBe(false);
  });

  it('refuses to start without swtpm on PATH, naming the packages', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(SwtpmProcess.start(swtpmPaths(dir, dir), undefined, true)).rejects.toThrow(
        /swtpm and swtpm_setup not found: .*apt-get install swtpm swtpm-tools/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('refuses a path swtpm cannot take (a comma)', async () => {
    const paths = swtpmPaths(path.join(dir, 'a,b'), dir);
    await expect(SwtpmProcess.start(paths, undefined, false)).rejects.toThrow(/path with a comma/);
  });
});
