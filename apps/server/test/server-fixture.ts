// The set-up and tear-down every server integration test file shares: a server of its own, started before the
// file's (or describe block's) tests and gone after them with its guests and its data dir.
import fs from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { copyGuestKernel, killGuestsOf, makeDataDir, newDataDirPath, TestServer } from './harness.ts';

export interface ServerOptions {
  /** The test guest ISO in the images dir (tinylinux.iso). */
  withGuestIso?: boolean;
  /** The test guest's kernel and initramfs in the images dir (tinylinux.vmlinuz, tinylinux.initrd). */
  withGuestKernel?: boolean;
  /** Settings for the server process (VIRTWEB_*). */
  env?: Record<string, string>;
  /** HTTPS with a generated certificate (the default of a real server); plain HTTP otherwise. */
  tls?: boolean;
  /** Logged in once started (default); false leaves the session to the tests. */
  login?: boolean;
  /** Runs on the new data dir before the server starts (files the server must find there). */
  prepare?: (dataDir: string) => Promise<unknown>;
}

/**
 * A server with a fresh data dir, started (and logged in) in `beforeAll`; stopped in `afterAll`, the qemu
 * processes of its data dir killed and the data dir removed. Its `dataDir` is known at once; everything else
 * once the hooks ran. Hooks the caller registers afterwards run after this start and before this tear-down.
 */
export function useServer(opts: ServerOptions = {}): TestServer {
  const [server] = useServers(1, opts) as [TestServer];
  return server;
}

/** Two servers as {@link useServer} makes one, started and stopped side by side (peers, migrations). */
export function useServerPair(opts: ServerOptions = {}): [TestServer, TestServer] {
  return useServers(2, opts) as [TestServer, TestServer];
}

function useServers(count: number, opts: ServerOptions): TestServer[] {
  const env = { ...opts.env, ...(opts.tls === true ? { VIRTWEB_TLS: 'on' } : {}) };
  const servers = Array.from({ length: count }, () => new TestServer(newDataDirPath(), undefined, env));
  beforeAll(async () => {
    await Promise.all(servers.map((server) => bringUp(server, opts)));
  });
  afterAll(async () => {
    await Promise.all(servers.map(disposeServer));
  });
  return servers;
}

async function bringUp(server: TestServer, opts: ServerOptions): Promise<void> {
  await makeDataDir(opts.withGuestIso ?? false, server.dataDir);
  if (opts.withGuestKernel === true) await copyGuestKernel(server.dataDir);
  await opts.prepare?.(server.dataDir);
  await server.start();
  if (opts.login !== false) await server.login();
}

/** Stops the server, kills the qemu processes of its data dir and removes the data dir. */
export async function disposeServer(server: TestServer): Promise<void> {
  await server.stop();
  await killGuestsOf(server.dataDir);
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
