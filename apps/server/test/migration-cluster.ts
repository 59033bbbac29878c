// Two (or three) real servers on loopback for the migration tests: peers, guests with a counter on their
// serial console, and waiting for jobs.
import net from 'node:net';
import { beforeAll, expect } from 'vitest';
import { COUNTER } from './migration-guests.ts';
import { READY, type TestServer, WsCollector } from './harness.ts';
import { useServerPair } from './server-fixture.ts';
import { until } from './until.ts';

export interface JobBody {
  id: string;
  vmId: string;
  kind: string;
  phase: string;
  startedAt: string;
  endedAt?: string;
  error?: string;
  notes?: string[];
  targetVmId?: string;
  totalTimeMs?: number;
  downtimeMs?: number;
  progress?: { transferredBytes: number; fraction: number };
  checks: { name: string; ok: boolean; detail: string }[];
}

export interface VmBody {
  id: string;
  name: string;
  state: string;
  pid?: number;
  disks: { image: string }[];
  nics: { mac: string }[];
  lastExit?: { reason: string };
}

/** Two servers and the peer ids they know each other by (filled in once the test file's hooks ran). */
export interface Cluster {
  a: TestServer;
  b: TestServer;
  /** b as a peer of a. */
  aToB: string;
  /** a as a peer of b, when asked for (`bothWays`). */
  bToA: string;
}

/**
 * Two servers with the test guest ISO (useServerPair), a knowing b as a peer (and b knowing a with
 * `bothWays`) before the calling test file's tests.
 */
export function twoServers(opts: { bothWays?: boolean; tls?: boolean } = {}): Cluster {
  const [a, b] = useServerPair({ withGuestIso: true, tls: opts.tls === true });
  const cluster: Cluster = { a, b, aToB: '', bToA: '' };
  beforeAll(async () => {
    [cluster.aToB, cluster.bToA] = await Promise.all([
      addPeer(a, b),
      opts.bothWays ? addPeer(b, a) : Promise.resolve(''),
    ]);
  });
  return cluster;
}

/**
 * Registers `target` as a peer of `source` with a `peer` token made on the target (so every migration test
 * shows that scope is enough); returns the peer id. An https:// target is pinned to the certificate the
 * source sees, once it is the one the target printed (as a user compares it with the target's Host page).
 */
export async function addPeer(source: TestServer, target: TestServer): Promise<string> {
  const { token: secret } = await target.makeToken('peer', 'migration test');
  let fingerprint: string | undefined;
  if (target.fingerprint !== undefined) {
    const seen = await source.api('POST', '/api/peers/certificate', { url: target.url });
    fingerprint = (seen.body as { fingerprint?: string }).fingerprint;
    if (fingerprint !== target.fingerprint) throw new Error(`certificate seen: ${JSON.stringify(seen.body)}`);
  }
  const added = await source.api('POST', '/api/peers', { url: target.url, token: secret, fingerprint });
  if (added.status !== 201) throw new Error(`add peer: ${added.status} ${JSON.stringify(added.body)}`);
  return (added.body as { id: string }).id;
}

/** A port that was free a moment ago (for a server that must come back on the same URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function job(server: TestServer, id: string): Promise<JobBody | undefined> {
  const jobs = (await server.api('GET', '/api/migrations')).body as JobBody[];
  return jobs.find((j) => j.id === id);
}

/** Waits for the job to reach a phase in `phases` (or to end); returns it then. */
export function jobIn(
  server: TestServer,
  id: string,
  phases: string[],
  timeoutMs = 120_000,
): Promise<JobBody> {
  return until(
    `job ${id} in ${phases.join('/')}`,
    async () => {
      const j = await job(server, id);
      if (!j) throw new Error(`job ${id} is not listed`);
      if (phases.includes(j.phase)) return j;
      if (['completed', 'failed', 'cancelled'].includes(j.phase)) {
        throw new Error(`job ended ${j.phase} (${j.error ?? ''}), wanted ${phases.join('/')}`);
      }
      return undefined;
    },
    timeoutMs,
  );
}

export async function vmOf(server: TestServer, id: string): Promise<VmBody | undefined> {
  const res = await server.api('GET', `/api/vms/${id}`);
  return res.status === 200 ? (res.body as VmBody) : undefined;
}

export async function vmsNamed(server: TestServer, name: string): Promise<VmBody[]> {
  return ((await server.api('GET', '/api/vms')).body as VmBody[]).filter((v) => v.name === name);
}

/** Counter values printed on a serial websocket. */
export function ticks(serial: WsCollector): number[] {
  return [...serial.text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
}
export const lastTick = (serial: WsCollector): number => Math.max(0, ...ticks(serial));

export async function tickAbove(serial: WsCollector, n: number, timeoutMs = 30_000): Promise<number> {
  await serial.waitFor(() => lastTick(serial) > n, `a tick above ${n}`, timeoutMs);
  return lastTick(serial);
}

export async function openSerial(server: TestServer, vmId: string): Promise<WsCollector> {
  const serial = new WsCollector(server.ws(`/api/vms/${vmId}/serial`));
  await serial.opened();
  return serial;
}

/** Runs one shell line on the guest's serial console and returns its output. */
export async function sh(serial: WsCollector, cmd: string, tag: string, timeoutMs = 30_000): Promise<string> {
  const from = serial.text.length;
  serial.ws.send(Buffer.from(`echo '<<'b${tag}'>>'; ${cmd}; echo '<<'e${tag}'>>'\n`));
  const [b, e] = [`<<b${tag}>>`, `<<e${tag}>>`];
  await serial.waitFor((c) => c.text.indexOf(e, from) >= 0, `guest command ${cmd}`, timeoutMs);
  return serial.text.slice(serial.text.indexOf(b, from) + b.length, serial.text.indexOf(e, from));
}

/**
 * Defines and starts a test guest (machine pc, network none, the test ISO) and starts the counter on its
 * console once it is ready.
 */
export async function bootCounting(
  server: TestServer,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; serial: WsCollector }> {
  const res = await server.api('POST', '/api/vms', {
    name,
    memoryMiB: 128,
    vcpus: 1,
    machine: 'pc',
    cdrom: 'tinylinux.iso',
    boot: 'cdrom',
    nics: [],
    ...extra,
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  const { id } = res.body as { id: string };
  const start = await server.api('POST', `/api/vms/${id}/start`);
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  const serial = await openSerial(server, id);
  await serial.waitFor((c) => c.text.includes(READY), `${name} ready`, 120_000);
  serial.ws.send(Buffer.from(`${COUNTER}\n`));
  await tickAbove(serial, 2);
  return { id, serial };
}
