import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QmpClient } from './client.ts';
import {
  isQmpExecuteError,
  QmpClosedError,
  QmpConnectionError,
  QmpError,
  QmpExecuteError,
  QmpInterruptedError,
  QmpProtocolError,
  QmpTimeoutError,
} from './errors.ts';
import type { QmpEventMessage } from './events.ts';
import { LineDecoder } from './message.ts';
import { DEFAULT_GREETING, FakeQmpServer, type FakeQmpServerOptions } from './testing/fake-qmp-server.ts';

let server: FakeQmpServer | undefined;
let client: QmpClient | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(options?: FakeQmpServerOptions): Promise<{ fake: FakeQmpServer; qmp: QmpClient }> {
  const fake = await FakeQmpServer.start(options);
  server = fake;
  const qmp = await QmpClient.connect(fake.socketPath, { timeoutMs: 2000 });
  client = qmp;
  return { fake, qmp };
}

/** Rejection of `promise`, failing the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value: unknown) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
}

/** Counts the timers created through the global setTimeout that have neither fired nor been cleared. */
function trackTimers(): { readonly live: number } {
  const live = new Set<unknown>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
    const handle = realSetTimeout(() => {
      live.delete(handle);
      fn();
    }, ms);
    live.add(handle);
    return handle;
  });
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
    live.delete(handle);
    realClearTimeout(handle);
  });
  return {
    get live() {
      return live.size;
    },
  };
}

describe('handshake', () => {
  it('reads the greeting and negotiates capabilities before resolving', async () => {
    const timers = trackTimers();
    const { fake, qmp } = await setup();
    expect(timers.live).toBe(0); // the handshake timeout must not outlive the handshake
    expect(qmp.state).toBe('ready');
    expect(qmp.greeting).toEqual(DEFAULT_GREETING);
    expect(fake.received).toEqual([{ execute: 'qmp_capabilities', id: 1 }]);
  });

  it('survives a session delivered one byte at a time', async () => {
    const push = vi.spyOn(LineDecoder.prototype, 'push');
    const { fake, qmp } = await setup({ chunkSizes: [1] });
    fake.handle('query-status', { return: { running: true, status: 'running' } });
    await expect(qmp.execute('query-status')).resolves.toEqual({ running: true, status: 'running' });
    // Proves the bytes really arrived as separate chunks (greeting + 2 replies > 150 bytes).
    expect(push.mock.calls.length).toBeGreaterThan(100);
  });
});

describe('connect errors', () => {
  it('rejects with ENOENT for a missing socket', async () => {
    const err = await rejectionOf(QmpClient.connect('/nonexistent/virtweb/qmp.sock'));
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect(err).toMatchObject({ code: 'ENOENT', socketPath: '/nonexistent/virtweb/qmp.sock' });
    expect((err as Error).cause).toMatchObject({ code: 'ENOENT' });
  });

  it('rejects with ECONNREFUSED when nothing listens on the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'virtweb-qmp-test-'));
    try {
      await writeFile(join(dir, 'qmp.sock'), '');
      const err = await rejectionOf(QmpClient.connect(join(dir, 'qmp.sock')));
      expect(err).toBeInstanceOf(QmpConnectionError);
      expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['not JSON', 'SSH-2.0-OpenSSH\r\n'],
    ['a reply instead of a greeting', '{"return": {}}\r\n'],
    ['a greeting without version', '{"QMP": {"capabilities": []}}\r\n'],
  ])('rejects a bad greeting (%s)', async (_what, raw) => {
    server = await FakeQmpServer.start({ greeting: { raw } });
    const err = await rejectionOf(QmpClient.connect(server.socketPath));
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect((err as Error).message).toMatch(/greeting/);
    expect((err as Error).cause).toBeInstanceOf(QmpProtocolError);
  });

  it('times out when no greeting arrives, leaving no timer or connection behind', async () => {
    server = await FakeQmpServer.start({ greeting: null });
    const timers = trackTimers();
    const err = await rejectionOf(QmpClient.connect(server.socketPath, { timeoutMs: 100 }));
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(timers.live).toBe(0);
    await vi.waitFor(() => expect(server?.connectionCount).toBe(0));
  });

  it('rejects when qemu refuses qmp_capabilities', async () => {
    server = await FakeQmpServer.start();
    server.handle('qmp_capabilities', { error: { class: 'GenericError', desc: 'nope' } });
    const err = await rejectionOf(QmpClient.connect(server.socketPath));
    expect(err).toBeInstanceOf(QmpConnectionError);
    expect((err as Error).cause).toBeInstanceOf(QmpExecuteError);
  });

  it('rejects when qemu hangs up during negotiation', async () => {
    const fake = await FakeQmpServer.start();
    server = fake;
    fake.handle('qmp_capabilities', () => {
      fake.hangUp();
      return 'noreply';
    });
    const err = await rejectionOf(QmpClient.connect(fake.socketPath));
    expect(err).toBeInstanceOf(QmpConnectionError);
  });

  it('rejects an invalid timeout', async () => {
    await expect(QmpClient.connect('/x', { timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('execute', () => {
  it('sends arguments only when given and gives every call a fresh increasing id', async () => {
    const { fake, qmp } = await setup();
    fake.handle('human-monitor-command', (cmd) => ({
      return: `ran ${String(cmd.arguments?.['command-line'])}`,
    }));
    fake.handle('query-status', { return: { running: false, status: 'paused' } });
    await expect(qmp.execute('human-monitor-command', { 'command-line': 'info version' })).resolves.toBe(
      'ran info version',
    );
    const timers = trackTimers();
    await qmp.execute('query-status', { timeoutMs: 1000 });
    expect(timers.live).toBe(0); // answered calls clear their timeout
    await qmp.execute('query-status');
    const tricky = 'echo "}{" \\ é';
    await expect(qmp.execute('human-monitor-command', { 'command-line': tricky })).resolves.toBe(
      `ran ${tricky}`,
    );
    expect(fake.received.slice(1)).toEqual([
      { execute: 'human-monitor-command', arguments: { 'command-line': 'info version' }, id: 2 },
      { execute: 'query-status', id: 3 },
      { execute: 'query-status', id: 4 },
      { execute: 'human-monitor-command', arguments: { 'command-line': tricky }, id: 5 },
    ]);
  });

  it('matches replies to calls by id when qemu answers out of order', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', 'noreply').handle('query-kvm', 'noreply');
    const name = qmp.execute('query-name');
    const kvm = qmp.execute('query-kvm');
    const [nameCmd, kvmCmd] = await Promise.all([
      fake.waitForCommand('query-name'),
      fake.waitForCommand('query-kvm'),
    ]);
    // Both replies in one write, newest first.
    await fake.send(
      { return: { enabled: true, present: true }, id: kvmCmd.id },
      { return: { name: 'vm1' }, id: nameCmd.id },
    );
    await expect(kvm).resolves.toEqual({ enabled: true, present: true });
    await expect(name).resolves.toEqual({ name: 'vm1' });
  });

  it('drops replies with an unknown or missing id', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', async (cmd) => {
      await fake.send({ return: { name: 'stale' }, id: 999 }, { return: { name: 'no id' } });
      await fake.send({ error: { class: 'GenericError', desc: 'x' }, id: String(cmd.id) });
      return { return: { name: 'real' } };
    });
    await expect(qmp.execute('query-name')).resolves.toEqual({ name: 'real' });
    expect(qmp.state).toBe('ready');
  });

  it('rejects with QmpExecuteError carrying qemu error class and description', async () => {
    const { fake, qmp } = await setup();
    fake.handle('device_del', { error: { class: 'DeviceNotFound', desc: "Device 'nic9' not found" } });
    const err = await rejectionOf(qmp.execute('device_del', { id: 'nic9' }));
    expect(err).toBeInstanceOf(QmpExecuteError);
    expect(err).toBeInstanceOf(QmpError);
    expect(isQmpExecuteError(err)).toBe(true);
    expect(err).toMatchObject({
      name: 'QmpExecuteError',
      errorClass: 'DeviceNotFound',
      desc: "Device 'nic9' not found",
      command: 'device_del',
    });
    expect(qmp.state).toBe('ready');
  });

  it('executeUnknown is id-matched and typed the same way', async () => {
    const { fake, qmp } = await setup();
    fake.handle('x-custom', (cmd) => ({ return: cmd.arguments }));
    await expect(qmp.executeUnknown('x-custom', { a: 1 })).resolves.toEqual({ a: 1 });
    await expect(qmp.executeUnknown('x-missing')).rejects.toMatchObject({ errorClass: 'CommandNotFound' });
  });

  it('times out, clears its timer, and ignores the late reply', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', 'noreply');
    const timers = trackTimers();
    const err = await rejectionOf(qmp.execute('query-name', { timeoutMs: 50 }));
    expect(err).toBeInstanceOf(QmpTimeoutError);
    expect(err).toMatchObject({ command: 'query-name', timeoutMs: 50 });
    expect(timers.live).toBe(0);
    const late = await fake.waitForCommand('query-name');
    fake.handle('query-name', { return: { name: 'second' } });
    await fake.send({ return: { name: 'late' }, id: late.id });
    await expect(qmp.execute('query-name')).resolves.toEqual({ name: 'second' });
  });

  it('rejects non-serialisable arguments without sending anything', async () => {
    const { fake, qmp } = await setup();
    await expect(qmp.executeUnknown('x', { big: 1n })).rejects.toBeInstanceOf(QmpError);
    expect(fake.received).toHaveLength(1);
  });
});

describe('events', () => {
  it('delivers typed events, all events, and events without data', async () => {
    const { fake, qmp } = await setup({ chunkSizes: [5, 1, 3] });
    const shutdowns: QmpEventMessage<'SHUTDOWN'>[] = [];
    const all: string[] = [];
    const onceStops: unknown[] = [];
    qmp.on('SHUTDOWN', (e) => shutdowns.push(e));
    qmp.on('event', (e) => all.push(e.event));
    qmp.once('STOP', (e) => onceStops.push(e.data));
    await fake.emitEvent('STOP');
    await fake.emitEvent('VSERPORT_CHANGE', { id: 'ch0', open: true });
    await fake.emitEvent('STOP');
    await fake.emitEvent('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    await vi.waitFor(() => expect(all).toHaveLength(4));
    expect(all).toEqual(['STOP', 'VSERPORT_CHANGE', 'STOP', 'SHUTDOWN']);
    expect(onceStops).toEqual([{}]);
    expect(shutdowns).toHaveLength(1);
    expect(shutdowns[0]?.data).toEqual({ guest: true, reason: 'guest-shutdown' });
    expect(shutdowns[0]?.timestamp.seconds).toBeGreaterThan(0);
  });

  it('stops delivering after off()', async () => {
    const { fake, qmp } = await setup();
    const seen: string[] = [];
    const listener = (e: QmpEventMessage) => seen.push(e.event);
    qmp.on('event', listener);
    await fake.emitEvent('RESUME');
    await vi.waitFor(() => expect(seen).toEqual(['RESUME']));
    qmp.off('event', listener);
    await fake.emitEvent('STOP');
    fake.handle('query-name', { return: {} });
    await qmp.execute('query-name'); // the reply comes after the event on the same stream
    expect(seen).toEqual(['RESUME']);
  });

  it('processes events and replies that share one chunk in order', async () => {
    const { fake, qmp } = await setup();
    const order: string[] = [];
    qmp.on('event', (e) => order.push(e.event));
    fake.handle('stop', async (cmd) => {
      const timestamp = { seconds: 1, microseconds: 0 };
      await fake.send(
        { event: 'STOP', timestamp },
        { return: {}, id: cmd.id },
        { event: 'RESUME', timestamp },
      );
      return 'noreply' as const;
    });
    await qmp.execute('stop');
    order.push('stop resolved');
    await vi.waitFor(() => expect(order).toHaveLength(3));
    expect(order).toEqual(['STOP', 'RESUME', 'stop resolved']);
  });
});

describe('disconnect', () => {
  it('rejects every pending call with QmpInterruptedError naming its command when qemu hangs up', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', 'noreply').handle('device_del', 'noreply');
    const onClose = vi.fn();
    qmp.on('close', onClose);
    const timers = trackTimers();
    const a = rejectionOf(qmp.execute('query-name', { timeoutMs: 60_000 }));
    const b = rejectionOf(qmp.execute('device_del', { id: 'd0' }, { timeoutMs: 60_000 }));
    await fake.waitForCommand('device_del');
    expect(timers.live).toBe(2);
    fake.hangUp();
    const [errA, errB] = await Promise.all([a, b]);
    expect(errA).toBeInstanceOf(QmpInterruptedError);
    expect(errA).toMatchObject({ command: 'query-name' });
    expect(errB).toMatchObject({ name: 'QmpInterruptedError', command: 'device_del' });
    await vi.waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(onClose).toHaveBeenCalledWith(undefined);
    expect(qmp.state).toBe('closed');
    expect(timers.live).toBe(0);
    await expect(qmp.execute('query-status')).rejects.toBeInstanceOf(QmpClosedError);
  });

  it('close() is idempotent, interrupts pending calls and emits close once', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', 'noreply');
    const onClose = vi.fn();
    qmp.on('close', onClose);
    const timers = trackTimers();
    const pending = rejectionOf(qmp.execute('query-name', { timeoutMs: 60_000 }));
    await fake.waitForCommand('query-name');
    const first = qmp.close();
    expect(timers.live).toBe(0);
    expect(qmp.state).toBe('closed');
    await expect(qmp.execute('query-status')).rejects.toMatchObject({
      name: 'QmpClosedError',
      command: 'query-status',
    });
    await Promise.all([first, qmp.close()]);
    await qmp.close();
    expect(await pending).toBeInstanceOf(QmpInterruptedError);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledWith(undefined);
    await vi.waitFor(() => expect(fake.connectionCount).toBe(0));
  });

  it('turns a protocol violation into close(err) instead of a crash', async () => {
    const { fake, qmp } = await setup();
    fake.handle('query-name', 'noreply');
    const closed = new Promise<Error | undefined>((resolve) => qmp.on('close', resolve));
    const pending = rejectionOf(qmp.execute('query-name'));
    await fake.waitForCommand('query-name');
    await fake.sendRaw('this is not QMP\r\n');
    const [err, reason] = await Promise.all([pending, closed]);
    expect(reason).toBeInstanceOf(QmpProtocolError);
    expect(err).toBeInstanceOf(QmpInterruptedError);
    expect((err as Error).cause).toBe(reason);
  });
});
