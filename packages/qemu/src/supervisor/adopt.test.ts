// Server restarts: guests keep running without their supervisor and are adopted from pidfile + QMP socket.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { QemuAdoptError } from '../errors.ts';
import { adoptQemu } from './adopt.ts';
import { inspectDeadGuest } from './exit.ts';
import { isAlive } from './pid.ts';
import { activeTimers, Sandbox } from './test-support.ts';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

describe('adoptQemu', () => {
  it('takes over a detached guest and detects its exit', async () => {
    const timersBefore = activeTimers();
    const first = await sandbox.start();
    await first.detach();
    expect(isAlive(first.pid)).toBe(true);

    const proc = await adoptQemu(first.paths);
    expect(proc).not.toBeNull();
    sandbox.procs.push(proc!);
    expect(proc!.pid).toBe(first.pid);
    expect(proc!.adopted).toBe(true);
    expect((await proc!.qmp.execute('query-status')).status).toBe('prelaunch');

    process.kill(proc!.pid, 'SIGKILL');
    const exit = await proc!.exited;
    // Not our child: no exit code or signal; the pidfile left behind says it did not exit by itself.
    expect(exit).toMatchObject({ kind: 'crashed', exitCode: null, signal: null });
    expect(exit.reason).toBe('qemu is gone without a clean shutdown (killed or crashed)');
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    expect(await inspectDeadGuest(proc!.paths)).toMatchObject({ kind: 'crashed' });
  });

  it('stops an adopted guest with the usual escalation', async () => {
    const first = await sandbox.start();
    await first.detach();
    const proc = (await adoptQemu(first.paths))!;
    sandbox.procs.push(proc);
    const exit = await proc.stop({ from: 'quit' });
    expect(exit).toMatchObject({
      kind: 'clean',
      exitCode: null,
      stoppedBy: 'quit',
      reason: 'quit by virtweb',
      shutdown: { guest: false, reason: 'host-qmp-quit' },
    });
    expect(isAlive(proc.pid)).toBe(false);
    expect(await inspectDeadGuest(proc.paths)).toMatchObject({ kind: 'clean' });
  });

  it('adopts a guest whose starting process has exited', async () => {
    const paths = await sandbox.paths();
    const script = join(import.meta.dirname, 'start-and-exit.script.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, paths.dir]);
    const { pid } = JSON.parse(stdout) as { pid: number };
    sandbox.track(pid);
    expect(isAlive(pid)).toBe(true);

    const proc = await adoptQemu(paths);
    expect(proc?.pid).toBe(pid);
    sandbox.procs.push(proc!);
    expect((await proc!.qmp.execute('query-status')).running).toBe(false);
    // Our grandchild's parent is gone; SIGTERM from outside still ends it cleanly and is detected.
    process.kill(pid, 'SIGTERM');
    const exit = await proc!.exited;
    expect(exit).toMatchObject({ kind: 'clean', shutdown: { guest: false, reason: 'host-signal' } });
    expect(exit.reason).toMatch(/^terminated by SIGTERM/);
  });

  it('returns null when there is nothing of ours to adopt', async () => {
    const paths = await sandbox.paths();
    expect(await adoptQemu(paths)).toBeNull(); // no run dir at all

    const dead = await sandbox.start(paths);
    process.kill(dead.pid, 'SIGKILL');
    await dead.exited;
    expect(await adoptQemu(paths)).toBeNull(); // stale pidfile, process gone

    await writeFile(paths.pid, `${process.pid}\n`);
    expect(await adoptQemu(paths)).toBeNull(); // pid reused by an unrelated process
  });

  it('fails loudly when the guest is alive but its QMP socket is taken', async () => {
    const proc = await sandbox.start();
    const err = await adoptQemu(proc.paths, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuAdoptError);
    expect((err as QemuAdoptError).pid).toBe(proc.pid);
    expect((await proc.qmp.execute('query-status')).status).toBe('prelaunch');
  });
});
