// Failure is safe: a cancelled migration, a target qemu killed mid-way and a target server killed mid-way all
// leave the source guest running and the target without a half VM. Also save and restore through zstd. One
// booted guest goes through all of it, in order.
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, READY, TestServer, type WsCollector } from './harness.ts';
import {
  twoServers,
  addPeer,
  bootCounting,
  freePort,
  job,
  jobIn,
  lastTick,
  openSerial,
  tickAbove,
  vmOf,
  vmsNamed,
  type JobBody,
  type VmBody,
} from './migration-cluster.ts';
import { disposeServer } from './server-fixture.ts';
import { until } from './until.ts';

const cluster = twoServers();
const { a, b } = cluster;
let guest: { id: string; serial: WsCollector };

// 1 MiB/s: long enough to act mid-way (the guest's 128 MiB would take minutes).
const SLOW = { bandwidthMiBs: 1 };

beforeAll(async () => {
  guest = await bootCounting(a, 'victim');
}, 180_000);

/** Starts a slow migration and waits until RAM is moving. */
async function startSlow(peer: string): Promise<string> {
  const res = await a.api('POST', `/api/vms/${guest.id}/migrate`, { peer, options: SLOW });
  expect(res.status).toBe(202);
  const id = (res.body as JobBody).id;
  await until('RAM moving', async () => {
    const j = await job(a, id);
    if (j && ['completed', 'failed', 'cancelled'].includes(j.phase))
      throw new Error(`ended: ${j.error ?? ''}`);
    return j?.phase === 'migrating' && (j.progress?.transferredBytes ?? 0) > 256 * 1024 ? j : undefined;
  });
  return id;
}

/** The source guest runs and its counter goes on. */
async function sourceRunsOn(): Promise<void> {
  expect((await vmOf(a, guest.id))?.state).toBe('running');
  await tickAbove(guest.serial, lastTick(guest.serial) + 3);
}

describe('a migration that does not complete leaves the source running', () => {
  it('cancel mid-way: the job ends cancelled, the target has no VM', async () => {
    const id = await startSlow(cluster.aToB);
    const cancel = await a.api('POST', `/api/migrations/${id}/cancel`);
    expect(cancel.status).toBe(202);
    const end = await jobIn(a, id, ['cancelled']);
    expect(end.error).toMatch(/cancelled/);
    await sourceRunsOn();
    expect(await vmsNamed(b, 'victim')).toEqual([]);
    expect((await a.api('POST', `/api/migrations/${id}/cancel`)).status).toBe(409);
  }, 60_000);

  it("target qemu killed mid-way: failed with qemu's reason, the target drops its half VM", async () => {
    const id = await startSlow(cluster.aToB);
    const incoming = (await vmsNamed(b, 'victim'))[0];
    expect(incoming?.state).toBe('migrating');
    expect(incoming?.pid).toBeGreaterThan(0);
    process.kill(incoming?.pid ?? 0, 'SIGKILL');
    const end = await jobIn(a, id, ['failed']);
    expect(end.error).toBeTruthy();
    console.log(`[info] job error when the target qemu dies: ${end.error ?? ''}`);
    await sourceRunsOn();
    await until(
      'the half VM gone from b',
      async () => ((await vmsNamed(b, 'victim')).length === 0 ? true : undefined),
      15_000,
    );
  }, 60_000);

  it('target server killed mid-way: failed, source running; restarted, the target has no half VM', async () => {
    const port = await freePort();
    const c = new TestServer(await makeDataDir(true), undefined, { VIRTWEB_PORT: String(port) });
    try {
      await c.start();
      await c.login();
      const peerC = await addPeer(a, c);
      const id = await startSlow(peerC);
      await c.kill9();
      const end = await jobIn(a, id, ['failed'], 60_000);
      expect(end.error).toMatch(/stopped answering/);
      await sourceRunsOn();
      await c.start();
      await c.login();
      expect(await vmsNamed(c, 'victim')).toEqual([]);
      // Nor a qemu of it left over.
      await until('no qemu of c', async () => ((await qemusOf(c.dataDir)) === 0 ? true : undefined), 15_000);
      await a.api('DELETE', `/api/peers/${peerC}`);
    } finally {
      await disposeServer(c);
    }
  }, 120_000);
});

describe('a server restarted mid-way sorts out its VM', () => {
  it('source server killed mid-way: after its restart the guest runs on here, the target has no half VM', async () => {
    await startSlow(cluster.aToB);
    expect((await vmsNamed(b, 'victim'))[0]?.state).toBe('migrating');
    const before = lastTick(guest.serial);
    await a.kill9();
    await a.start();
    await a.login();
    expect((await vmOf(a, guest.id))?.state).toBe('running');
    guest = { id: guest.id, serial: await openSerial(a, guest.id) };
    await tickAbove(guest.serial, before + 3);
    expect(await vmsNamed(b, 'victim')).toEqual([]);
  }, 120_000);
});

describe('save and restore', () => {
  it('saves the running guest into a zstd file and restores it: the counter continues', async () => {
    const save = await a.api('POST', `/api/vms/${guest.id}/save`, { name: 'victim-state' });
    expect(save.status).toBe(202);
    const saved = await jobIn(a, (save.body as JobBody).id, ['completed']);
    const lastBefore = lastTick(guest.serial);
    const vm = (await vmOf(a, guest.id)) as VmBody;
    expect(vm.state).toBe('stopped');
    expect(vm.lastExit?.reason).toBe('saved to victim-state.vmstate.zst');
    const listed = (await a.api('GET', '/api/saved-states')).body as { name: string; sizeBytes: number }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'victim-state.vmstate.zst', vmId: guest.id })]);
    const file = path.join(a.dataDir, 'states/victim-state.vmstate.zst');
    const head = (await fs.readFile(file)).subarray(0, 4).toString('hex');
    expect(head).toBe('28b52ffd'); // zstd frame magic
    expect(listed[0]?.sizeBytes).toBe((await fs.stat(file)).size);

    const restore = await a.api('POST', '/api/saved-states/victim-state.vmstate.zst/restore');
    expect(restore.status).toBe(202);
    await jobIn(a, (restore.body as JobBody).id, ['completed']);
    expect((await vmOf(a, guest.id))?.state).toBe('running');
    const serial = await openSerial(a, guest.id);
    await tickAbove(serial, lastBefore);
    expect(serial.text).not.toContain(READY);
    // Running now: a second restore is refused; the state can be deleted.
    expect((await a.api('POST', '/api/saved-states/victim-state.vmstate.zst/restore')).status).toBe(409);
    expect((await a.api('DELETE', '/api/saved-states/victim-state.vmstate.zst')).status).toBe(204);
    expect((await a.api('GET', '/api/saved-states')).body).toEqual([]);
    console.log(`[measure] save of the 128 MiB guest: ${saved.totalTimeMs ?? 0} ms`);
  }, 120_000);
});

async function qemusOf(dataDir: string): Promise<number> {
  let n = 0;
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('qemu-system') && cmd.includes(dataDir)) n++;
  }
  return n;
}
