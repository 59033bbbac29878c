import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMigrationError } from './errors.ts';
import { finishIncoming, prepareIncoming, startNbdExports } from './incoming.ts';
import { argsOf, commandNames, fakeQemu, scriptMigrate, type FakeQemu } from './test-support.ts';

let q: FakeQemu;
beforeEach(async () => (q = await fakeQemu('inmigrate')));
afterEach(() => q.close());

const listening = (port: string) => ({
  status: 'setup' as const,
  'socket-address': [{ type: 'inet' as const, host: '127.0.0.1', port }],
});

/** After the stream: back to a plain stream for a later save (`dropStreamTls`). */
const DROP_TLS = ['migrate-set-parameters', 'object-del'];

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      if (!isMigrationError(e)) throw e;
      return e;
    },
  );

describe('prepareIncoming', () => {
  it('sets the stream capabilities, listens on port 0 and returns the port qemu picked', async () => {
    scriptMigrate(q.fake, [listening('41234')]);
    const endpoint = await prepareIncoming(q.qmp, {
      listenHost: '0.0.0.0',
      advertiseHost: 'host-b.example',
      capabilities: { postcopy: true, multifd: true, xbzrle: false, compress: 'none' },
      tuning: { multifdChannels: 3 },
    });
    expect(endpoint).toEqual({ uri: 'tcp:host-b.example:41234', port: 41234 });
    expect(argsOf(q.fake, 'migrate-set-capabilities')?.capabilities).toEqual([
      { capability: 'events', state: true },
      { capability: 'late-block-activate', state: true },
      { capability: 'postcopy-ram', state: true },
      { capability: 'multifd', state: true },
      { capability: 'xbzrle', state: false },
    ]);
    expect(argsOf(q.fake, 'migrate-set-parameters')).toEqual({
      'multifd-channels': 3,
      'multifd-compression': 'none',
      'tls-creds': '',
    });
    expect(argsOf(q.fake, 'migrate-incoming')).toEqual({ uri: 'tcp:0.0.0.0:0' });
  });

  it('encrypts the stream: server credentials added and named before it listens', async () => {
    scriptMigrate(q.fake, [listening('41234')]);
    const none = { postcopy: false, multifd: false, xbzrle: false, compress: 'none' as const };
    const tls = { dir: '/run/vm/stream-tls' };
    await prepareIncoming(q.qmp, { listenHost: '127.0.0.1', capabilities: none, tls });
    expect(commandNames(q.fake)).toEqual([
      'object-del',
      'object-add',
      'migrate-set-capabilities',
      'migrate-set-parameters',
      'migrate-incoming',
    ]);
    expect(argsOf(q.fake, 'object-add')).toEqual({
      'qom-type': 'tls-creds-x509',
      id: 'vw-mig-tls',
      dir: '/run/vm/stream-tls',
      endpoint: 'server',
      'verify-peer': true,
    });
    expect(argsOf(q.fake, 'migrate-set-parameters')).toMatchObject({ 'tls-creds': 'vw-mig-tls' });
  });

  it('drops the credentials again when it cannot listen', async () => {
    q.fake.handle('migrate-incoming', { error: { class: 'GenericError', desc: 'Address in use' } });
    const none = { postcopy: false, multifd: false, xbzrle: false, compress: 'none' as const };
    const tls = { dir: '/d' };
    const err = await failureOf(prepareIncoming(q.qmp, { listenHost: '127.0.0.1', capabilities: none, tls }));
    expect(err.message).toMatch(/Address in use/);
    expect(commandNames(q.fake).slice(-2)).toEqual(['migrate-set-parameters', 'object-del']);
    expect(argsOf(q.fake, 'migrate-set-parameters', 2)).toMatchObject({ 'tls-creds': '' });
  });

  it('puts IPv6 hosts in brackets and keeps a given port', async () => {
    scriptMigrate(q.fake, [listening('5000')]);
    const none = { postcopy: false, multifd: false, xbzrle: false, compress: 'none' as const };
    const endpoint = await prepareIncoming(q.qmp, { listenHost: '::1', port: 5000, capabilities: none });
    expect(argsOf(q.fake, 'migrate-incoming')).toEqual({ uri: 'tcp:[::1]:5000' });
    expect(endpoint.uri).toBe('tcp:[::1]:5000');
  });

  it('refuses a qemu that is not waiting for a stream', async () => {
    q.state.status = 'running';
    const none = { postcopy: false, multifd: false, xbzrle: false, compress: 'none' as const };
    const err = await failureOf(prepareIncoming(q.qmp, { listenHost: '127.0.0.1', capabilities: none }));
    expect(err.message).toMatch(/running, not waiting/);
    expect(commandNames(q.fake)).toEqual([]);
  });
});

describe('startNbdExports', () => {
  const disks = [
    { node: 'disk0', exportName: 'web-disk0' },
    { node: 'disk1', exportName: 'web-disk1' },
  ];

  it('starts the NBD server and one writable export per disk', async () => {
    const target = await startNbdExports(q.qmp, { listenHost: '127.0.0.1', port: 10809, disks });
    expect(target).toEqual({ targetHost: '127.0.0.1', port: 10809, disks });
    expect(argsOf(q.fake, 'nbd-server-start')).toEqual({
      addr: { type: 'inet', data: { host: '127.0.0.1', port: '10809' } },
    });
    expect(argsOf(q.fake, 'block-export-add', 2)).toEqual({
      type: 'nbd',
      id: 'migrate-export-disk1',
      'node-name': 'disk1',
      name: 'web-disk1',
      writable: true,
    });
  });

  it("serves the exports over TLS with the stream's server credentials when encrypted", async () => {
    await startNbdExports(q.qmp, { listenHost: '127.0.0.1', port: 10809, disks, encrypted: true });
    expect(argsOf(q.fake, 'nbd-server-start')).toEqual({
      addr: { type: 'inet', data: { host: '127.0.0.1', port: '10809' } },
      'tls-creds': 'vw-mig-tls',
    });
  });

  it('probes a free port, and tries another one when qemu finds it taken', async () => {
    let attempts = 0;
    q.fake.handle('nbd-server-start', () =>
      ++attempts === 1
        ? { error: { class: 'GenericError', desc: 'Failed to bind socket: Address already in use' } }
        : { return: {} },
    );
    const target = await startNbdExports(q.qmp, { listenHost: '127.0.0.1', disks });
    expect(attempts).toBe(2);
    expect(target.port).toBeGreaterThan(0);
    expect(argsOf(q.fake, 'nbd-server-start', 2)).toEqual({
      addr: { type: 'inet', data: { host: '127.0.0.1', port: String(target.port) } },
    });
  });

  it('stops the server again when an export fails', async () => {
    q.fake.handle('block-export-add', { error: { class: 'GenericError', desc: "Cannot find node 'disk1'" } });
    const err = await failureOf(startNbdExports(q.qmp, { listenHost: '127.0.0.1', port: 1, disks }));
    expect(err.qemuReason).toBe("Cannot find node 'disk1'");
    expect(commandNames(q.fake).at(-1)).toBe('nbd-server-stop');
  });
});

describe('finishIncoming', () => {
  it('waits for the stream, stops the NBD exports, then starts the guest', async () => {
    let polls = 0;
    q.fake.handle('query-migrate', () => {
      if (++polls < 3) return { return: { status: 'active' } };
      q.state.status = 'paused';
      return { return: { status: 'completed' } };
    });
    q.fake.handle('query-block-exports', {
      return: [{ id: 'migrate-export-disk0', type: 'nbd', 'node-name': 'disk0', 'shutting-down': false }],
    });
    q.fake.handle('cont', () => {
      q.state.status = 'running';
      return { return: {} };
    });
    await finishIncoming(q.qmp, { intervalMs: 5 });
    expect(polls).toBe(3);
    expect(commandNames(q.fake)).toEqual(['query-block-exports', 'nbd-server-stop', ...DROP_TLS, 'cont']);
  });

  it('starts the guest as soon as post-copy has begun', async () => {
    scriptMigrate(q.fake, [{ status: 'postcopy-active' }]);
    q.fake.handle('cont', () => {
      q.state.status = 'running';
      return { return: {} };
    });
    await finishIncoming(q.qmp, { intervalMs: 5 });
    expect(commandNames(q.fake)).toEqual(['query-block-exports', ...DROP_TLS, 'cont']);
  });

  it("fails with qemu's error-desc and never starts the guest", async () => {
    scriptMigrate(q.fake, [{ status: 'failed', 'error-desc': 'load of migration failed: Invalid argument' }]);
    const err = await failureOf(finishIncoming(q.qmp, { intervalMs: 5 }));
    expect(err.qemuReason).toBe('load of migration failed: Invalid argument');
    expect(commandNames(q.fake)).not.toContain('cont');
  });

  it('reports a target qemu that exited (qemu ends itself after a failed load)', async () => {
    q.fake.handle('query-migrate', () => {
      q.fake.hangUp();
      return 'noreply';
    });
    const err = await failureOf(finishIncoming(q.qmp, { intervalMs: 5 }));
    expect(err.message).toBe('incoming migration failed: the target qemu has exited');
  });

  it('reports a guest that does not run after cont', async () => {
    scriptMigrate(q.fake, [{ status: 'completed' }]);
    q.state.status = 'paused';
    const err = await failureOf(finishIncoming(q.qmp, { intervalMs: 5 }));
    expect(err.message).toMatch(/paused after cont/);
  });
});
