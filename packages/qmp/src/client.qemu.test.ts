// Against a real qemu-system-x86_64 (TCG, no machine): the fake server must not be the only thing we agree with.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient } from './client.ts';
import {
  isQmpConnectionError,
  QmpClosedError,
  QmpExecuteError,
  QmpInterruptedError,
  QmpTimeoutError,
} from './errors.ts';
import type { QmpEventMessage } from './events.ts';

const QEMU = process.env.VIRTWEB_QEMU ?? 'qemu-system-x86_64';

type Guest = { proc: ChildProcess; dir: string; exited: Promise<number | null>; stderr: () => string };
let guest: Guest | undefined;
let client: QmpClient | undefined;

afterEach(async () => {
  await client?.close();
  if (guest) {
    if (guest.proc.exitCode === null && guest.proc.signalCode === null) guest.proc.kill('SIGKILL');
    await guest.exited;
    await rm(guest.dir, { recursive: true, force: true });
  }
  client = undefined;
  guest = undefined;
});

async function startQemu(): Promise<{ qemu: Guest; qmp: QmpClient }> {
  const dir = await mkdtemp(join(tmpdir(), 'virtweb-qmp-qemu-'));
  const socket = join(dir, 'qmp.sock');
  const argv = ['-accel', 'tcg', '-nodefaults', '-display', 'none', '-machine', 'none'];
  const proc = spawn(QEMU, [...argv, '-qmp', `unix:${socket},server=on,wait=off`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    proc.once('error', (err) => {
      stderr += String(err);
      resolve(null);
    });
    proc.once('exit', (code) => resolve(code));
  });
  const qemu: Guest = { proc, dir, exited, stderr: () => stderr };
  guest = qemu;
  client = await connectWhenListening(qemu, socket);
  return { qemu, qmp: client };
}

/** qemu creates the socket some time after exec; retry while it is missing or not yet listening. */
async function connectWhenListening(qemu: Guest, socket: string): Promise<QmpClient> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await QmpClient.connect(socket, { timeoutMs: 5000 });
    } catch (err) {
      const retryable = isQmpConnectionError(err) && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED');
      const gone = qemu.proc.exitCode !== null || qemu.proc.signalCode !== null;
      if (!retryable || gone || Date.now() > deadline) {
        throw new Error(`qemu QMP not reachable; stderr: ${qemu.stderr()}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('QmpClient against qemu', () => {
  it('negotiates, queries, runs HMP and reports qemu error classes', async () => {
    const { qmp } = await startQemu();
    const version = await qmp.execute('query-version');
    expect(version).toEqual(qmp.greeting.QMP.version);
    expect(version.qemu.major).toBeGreaterThanOrEqual(7);

    expect(await qmp.execute('query-status')).toMatchObject({ running: true, status: 'running' });
    // Pipelined: several commands written back to back before any reply; each gets its own answer.
    const [kvm, name, hmp, status] = await Promise.all([
      qmp.execute('query-kvm'),
      qmp.execute('query-name'),
      qmp.execute('human-monitor-command', { 'command-line': 'info status' }),
      qmp.execute('query-status'),
    ]);
    expect(kvm).toMatchObject({ present: expect.any(Boolean) as boolean });
    expect(name).toEqual({});
    expect(hmp).toMatch(/VM status: running/);
    expect(status.status).toBe('running');
    expect(await qmp.execute('query-kvm')).toMatchObject({ enabled: false });
    const commands = await qmp.execute('query-commands');
    expect(commands.map((c) => c.name)).toContain('human-monitor-command');

    const { major, minor, micro } = version.qemu;
    const info = await qmp.execute('human-monitor-command', { 'command-line': 'info version' });
    expect(info).toContain(`${major}.${minor}.${micro}`);

    const missing = qmp.execute('device_del', { id: 'no-such-device' });
    await expect(missing).rejects.toBeInstanceOf(QmpExecuteError);
    await expect(missing).rejects.toMatchObject({ errorClass: 'DeviceNotFound', command: 'device_del' });
    const screendump = qmp.execute('screendump', { filename: join(tmpdir(), 'nonexistent-dir', 'x.ppm') });
    await expect(screendump).rejects.toMatchObject({ errorClass: 'GenericError', command: 'screendump' });
    await expect(qmp.executeUnknown('no-such-command')).rejects.toMatchObject({
      errorClass: 'CommandNotFound',
    });
    expect(qmp.state).toBe('ready');
  });

  it('emits STOP/RESUME around stop/cont, then SHUTDOWN and close on quit', async () => {
    const { qemu, qmp } = await startQemu();
    const events: QmpEventMessage[] = [];
    qmp.on('event', (e) => events.push(e));

    await qmp.execute('stop');
    // qemu writes the event before the reply, so it has been delivered by the time the call resolves.
    expect(events.map((e) => e.event)).toEqual(['STOP']);
    expect(await qmp.execute('query-status')).toMatchObject({ running: false, status: 'paused' });
    await qmp.execute('cont');
    expect(events.map((e) => e.event)).toEqual(['STOP', 'RESUME']);

    const shutdown = new Promise<QmpEventMessage<'SHUTDOWN'>>((resolve) => qmp.once('SHUTDOWN', resolve));
    const closed = new Promise<Error | undefined>((resolve) => qmp.on('close', resolve));
    await expect(qmp.execute('quit')).resolves.toEqual({});
    expect((await shutdown).data).toEqual({ guest: false, reason: 'host-qmp-quit' });
    expect(await closed).toBeUndefined();
    expect(qmp.state).toBe('closed');
    expect(await qemu.exited).toBe(0);
    await expect(qmp.execute('query-status')).rejects.toBeInstanceOf(QmpClosedError);
  });

  it('times out on a frozen qemu, then interrupts pending calls when it is killed', async () => {
    const { qemu, qmp } = await startQemu();
    qemu.proc.kill('SIGSTOP');
    await expect(qmp.execute('query-status', { timeoutMs: 200 })).rejects.toBeInstanceOf(QmpTimeoutError);

    const pending = qmp.execute('query-name');
    const closed = new Promise<Error | undefined>((resolve) => qmp.on('close', resolve));
    qemu.proc.kill('SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(QmpInterruptedError);
    await expect(pending).rejects.toMatchObject({ command: 'query-name' });
    await closed;
    expect(qmp.state).toBe('closed');
  });
});
