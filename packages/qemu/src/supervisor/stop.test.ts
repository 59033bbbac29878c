// How real qemu processes end: stop() escalation, external signals, guest poweroff and panic.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QemuExit } from './exit.ts';
import { activeTimers, PANIC_CODE, POWEROFF_CODE, Sandbox, TINY, writeBootDisk } from './test-support.ts';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const pidfileExists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('stop()', () => {
  it('falls back to quit when the guest ignores ACPI powerdown (no OS)', async () => {
    const timersBefore = activeTimers();
    const proc = await sandbox.start();
    await proc.qmp.execute('cont');
    const events: QemuExit[] = [];
    proc.on('exit', (e) => events.push(e));
    const t0 = performance.now();
    const exit = await proc.stop({ powerdownTimeoutMs: 500 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(500);
    expect(exit).toMatchObject({
      kind: 'clean',
      exitCode: 0,
      signal: null,
      stoppedBy: 'quit',
      reason: 'quit by virtweb after ACPI powerdown timed out',
      shutdown: { guest: false, reason: 'host-qmp-quit' },
    });
    expect(await proc.exited).toBe(exit);
    expect(await proc.stop()).toBe(exit);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([exit]);
    expect(proc.qmp.state).toBe('closed');
    expect(await pidfileExists(proc.paths.pid)).toBe(false);
    expect(proc.kill('SIGKILL')).toBe(false);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('escalates to SIGKILL when qemu answers nothing (SIGSTOPped)', async () => {
    const proc = await sandbox.start();
    process.kill(proc.pid, 'SIGSTOP');
    const t0 = performance.now();
    const exit = await proc.stop({ powerdownTimeoutMs: 300, quitTimeoutMs: 300, sigtermTimeoutMs: 300 });
    // The time limits themselves (3 x 300 ms, then SIGKILL), not a speed claim.
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(exit).toMatchObject({
      kind: 'killed',
      exitCode: null,
      signal: 'SIGKILL',
      stoppedBy: 'sigkill',
      reason: 'stopped by virtweb with SIGKILL after SIGTERM timed out',
    });
  });

  it('lets a harder stop preempt a pending ACPI shutdown: quit at once, not after its timeout', async () => {
    const proc = await sandbox.start();
    await proc.qmp.execute('cont');
    const powerdown = new Promise((resolve) => proc.qmp.once('POWERDOWN', resolve));
    const shutdown = proc.stop({ powerdownTimeoutMs: 30_000 });
    await powerdown; // qemu took the ACPI request: the shutdown is pending
    const t0 = performance.now();
    const exit = await proc.stop({ from: 'quit' });
    // The requirement itself: far below the shutdown's 30 s (measured: well under a second).
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(exit).toMatchObject({ kind: 'clean', stoppedBy: 'quit', reason: 'quit by virtweb' });
    expect(await shutdown).toBe(exit);
  });

  it('can start at SIGTERM, which qemu turns into an orderly exit', async () => {
    const proc = await sandbox.start();
    const exit = await proc.stop({ from: 'sigterm' });
    expect(exit).toMatchObject({
      kind: 'killed',
      exitCode: 0,
      stoppedBy: 'sigterm',
      reason: 'stopped by virtweb with SIGTERM',
      shutdown: { guest: false, reason: 'host-signal' },
    });
    expect(exit.logTail).toMatch(/terminating on signal 15 from pid \d+/);
  });
});

describe('exits not caused by virtweb', () => {
  it('external SIGKILL is a crash', async () => {
    const proc = await sandbox.start();
    process.kill(proc.pid, 'SIGKILL');
    const exit = await proc.exited;
    expect(exit).toMatchObject({
      kind: 'crashed',
      exitCode: null,
      signal: 'SIGKILL',
      reason: 'killed by SIGKILL',
    });
    expect(exit.stoppedBy).toBeUndefined();
    // NOTE: evidence for adopted guests: qemu leaves its pidfile behind when killed.
    expect(await pidfileExists(proc.paths.pid)).toBe(true);
  });

  it('external SIGTERM is a clean shutdown', async () => {
    const proc = await sandbox.start();
    process.kill(proc.pid, 'SIGTERM');
    const exit = await proc.exited;
    expect(exit).toMatchObject({
      kind: 'clean',
      exitCode: 0,
      shutdown: { guest: false, reason: 'host-signal' },
    });
    expect(exit.reason).toMatch(/^terminated by SIGTERM from pid \d+/);
    expect(await pidfileExists(proc.paths.pid)).toBe(false);
  });

  it('a guest that powers itself off (ACPI S5) is clean', async () => {
    const disk = join(await sandbox.dir(), 'poweroff.raw');
    await writeBootDisk(disk, POWEROFF_CODE);
    const proc = await sandbox.start(undefined, [], { ...TINY, disks: [{ path: disk, format: 'raw' }] });
    await proc.qmp.execute('cont');
    const exit = await proc.exited;
    expect(exit).toMatchObject({
      kind: 'clean',
      exitCode: 0,
      reason: 'guest powered off',
      shutdown: { guest: true, reason: 'guest-shutdown' },
    });
  });

  it('a guest panic with -action panic=exit-failure is a crash, and qemu removes its pidfile', async () => {
    const disk = join(await sandbox.dir(), 'panic.raw');
    await writeBootDisk(disk, PANIC_CODE);
    const extra = ['-device', 'pvpanic', '-action', 'panic=exit-failure'];
    const proc = await sandbox.start(undefined, extra, { ...TINY, disks: [{ path: disk, format: 'raw' }] });
    await proc.qmp.execute('cont');
    const exit = await proc.exited;
    expect(exit).toMatchObject({ kind: 'crashed', exitCode: 1, reason: 'guest panicked' });
    // NOTE: exit(1) also runs qemu's exit notifiers: the pidfile is gone although this was no clean exit.
    expect(await pidfileExists(proc.paths.pid)).toBe(false);
  });
});
