// A bench's own server: a fresh data dir with the test ISO, logged in; and waits on a VM's state.
import fs from 'node:fs/promises';
import { killGuestsOf, makeDataDir, TestServer } from '../../apps/server/test/harness.ts';

export async function benchServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await makeDataDir(true);
  const server = await new TestServer(dataDir, undefined, env).start();
  await server.login();
  return server;
}

/** Stops the server, kills what it left running and removes its data dir. */
export async function disposeServer(server: TestServer): Promise<void> {
  await server.stop();
  await killGuestsOf(server.dataDir);
  await fs.rm(server.dataDir, { recursive: true, force: true });
}

/** Polls GET /api/vms/:id until its state is one of `states`; returns that state. */
export async function waitForState(
  server: TestServer,
  id: string,
  states: string | readonly string[],
  timeoutMs = 30_000,
): Promise<string> {
  const wanted = typeof states === 'string' ? [states] : states;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.api('GET', `/api/vms/${id}`);
    const now = (res.body as { state?: string } | undefined)?.state;
    if (now !== undefined && wanted.includes(now)) return now;
    if (Date.now() > deadline) {
      throw new Error(`${id} not ${wanted.join('/')} within ${timeoutMs} ms (${now ?? res.status})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Powers VM `id` off and waits until it is stopped (or crashed: the bench reports those); returns the state.
 */
export async function powerOff(server: TestServer, id: string, timeoutMs = 60_000): Promise<string> {
  const res = await server.api('POST', `/api/vms/${id}/poweroff`);
  if (res.status >= 300) throw new Error(`poweroff ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForState(server, id, ['stopped', 'crashed'], timeoutMs);
}
