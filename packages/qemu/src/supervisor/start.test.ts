// startQemu against the real qemu-system-x86_64 (TCG, 64 MiB, no disks).
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildArgv } from '../argv.ts';
import { QemuStartError } from '../errors.ts';
import { isAlive } from './pid.ts';
import { startQemu } from './start.ts';
import { QEMU, Sandbox, TINY } from './test-support.ts';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

describe('startQemu', () => {
  it('starts a paused guest and answers QMP', async () => {
    const paths = await sandbox.paths();
    const t0 = performance.now();
    const proc = await sandbox.start(paths);
    const readyMs = performance.now() - t0;
    console.info(`start-to-QMP-ready: ${readyMs.toFixed(0)} ms`);

    expect(proc.adopted).toBe(false);
    expect(await proc.qmp.execute('query-status')).toMatchObject({ running: false, status: 'prelaunch' });
    expect(Number((await readFile(paths.pid, 'utf8')).trim())).toBe(proc.pid);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    expect((await readdir(paths.dir)).sort()).toEqual(
      ['monitor.sock', 'qemu.log', 'qemu.pid', 'qmp-user.sock', 'qmp.sock', 'serial.sock', 'vnc.sock'].sort(),
    );
    await proc.qmp.execute('cont');
    expect((await proc.qmp.execute('query-status')).running).toBe(true);
  });

  it('rejects a bad option with the log tail and leaves nothing running', async () => {
    const paths = await sandbox.paths();
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.log, 'qemu-system-x86_64: noise from an earlier run\n');
    const argv = [...buildArgv(TINY, paths, { startPaused: true }), '-device', 'no-such-device'];
    const err = await startQemu({ binary: QEMU, argv, paths }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuStartError);
    const e = err as QemuStartError;
    expect(e.exitCode).toBe(1);
    expect(e.logTail).toBe(
      "qemu-system-x86_64: -device no-such-device: 'no-such-device' is not a valid device model name",
    );
    expect(e.message).toMatch(/^qemu exited during start \(code 1\): .*not a valid device model name$/);
    expect(await readdir(paths.dir)).not.toContain('qemu.pid');
  });

  it('reports an image locked by another running guest', async () => {
    const { createImage } = await import('../qemu-img.ts');
    const image = `${await sandbox.dir()}/shared.qcow2`;
    await createImage({ path: image, format: 'qcow2', sizeBytes: 1 << 20 });
    const spec = { ...TINY, disks: [{ path: image, format: 'qcow2' }] };
    await sandbox.start(await sandbox.paths(), [], spec);
    const paths = await sandbox.paths();
    const argv = buildArgv(spec, paths, { startPaused: true });
    const err = await startQemu({ binary: QEMU, argv, paths }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuStartError);
    expect((err as QemuStartError).logTail).toMatch(/Failed to get "write" lock/);
  });

  it('refuses to start a second qemu for a run dir whose qemu is alive', async () => {
    const paths = await sandbox.paths();
    const first = await sandbox.start(paths);
    const argv = buildArgv(TINY, paths, { startPaused: true });
    await expect(startQemu({ binary: QEMU, argv, paths })).rejects.toThrow(/already running .*pid/);
    expect(isAlive(first.pid)).toBe(true);
    expect((await first.qmp.execute('query-status')).status).toBe('prelaunch');
  });

  // NOTE: as root only (setuid needs it); `nobody` stands in for virtweb's unprivileged qemu user.
  it.runIf(process.getuid?.() === 0)(
    'runAs: qemu runs as that user from exec on, in a sticky run dir it shares, and still removes its pidfile',
    async () => {
      const nobody = { uid: 65534, gid: 65534 };
      const paths = await sandbox.paths();
      await chmod(dirname(paths.dir), 0o711); // the test's temp dir: passable for that user
      const argv = buildArgv(TINY, paths, { startPaused: true });
      const proc = await startQemu({ binary: QEMU, argv, paths, runAs: nobody });
      sandbox.track(proc.pid);
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\t65534\t65534\t65534\t65534$/m);
      expect(status).toMatch(/^Gid:\t65534\t65534\t65534\t65534$/m);
      expect(status).toMatch(/^Seccomp:\t2$/m);
      // The run dir stays root's, writable by qemu's group, sticky: qemu cannot replace the server's files.
      const dir = await stat(paths.dir);
      expect({ uid: dir.uid, gid: dir.gid, mode: dir.mode & 0o7777 }).toEqual({
        uid: 0,
        gid: nobody.gid,
        mode: 0o1770,
      });
      // The exit classification relies on qemu removing its pidfile: it can, the pidfile is its own.
      expect(await proc.stop({ from: 'quit' })).toMatchObject({ kind: 'clean' });
      expect(await readdir(paths.dir)).not.toContain('qemu.pid');
    },
  );

  it('reports a missing binary', async () => {
    const paths = await sandbox.paths();
    const argv = buildArgv(TINY, paths);
    const err = await startQemu({ binary: '/nonexistent/qemu', argv, paths }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuStartError);
    expect((err as Error).message).toMatch(/ENOENT/);
  });

  it('kills a qemu that does not answer QMP in time', async () => {
    const paths = await sandbox.paths();
    const argv = buildArgv(TINY, paths, { startPaused: true });
    const err = await startQemu({ binary: QEMU, argv, paths, startTimeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuStartError);
    expect((err as QemuStartError).message).toMatch(/did not answer on QMP within 1 ms/);
    expect((err as QemuStartError).signal).toBe('SIGKILL');
  });
});
