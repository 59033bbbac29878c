// UEFI guests between two real servers on loopback: the guest's OVMF variable store travels with it (live and
// offline), the target writes it before its qemu opens it, and the source's store goes with the source VM.
import fs from 'node:fs/promises';
import path from 'node:path';
import { MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseMode, READY, TestServer } from './harness.ts';
import {
  twoServers,
  bootCounting,
  jobIn,
  lastTick,
  openSerial,
  sh,
  tickAbove,
  vmOf,
  type JobBody,
  type VmBody,
} from './migration-cluster.ts';
import { until } from './until.ts';

const cluster = twoServers({ bothWays: true });
const { a, b } = cluster;
let ovmf = false;

const storeOf = (server: TestServer, id: string): string =>
  path.join(server.dataDir, 'nvram', `${id}_VARS.fd`);
const exists = (file: string): Promise<boolean> =>
  fs.access(file).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  const host = (await b.api('GET', '/api/host')).body as { firmware: { uefi: boolean } };
  ovmf = host.firmware.uefi; // scripts/setup installs Debian's ovmf
}, 60_000);

/** Starts a migration and waits for it to complete. */
async function migrate(from: TestServer, vmId: string, peer: string): Promise<JobBody> {
  const started = await from.api('POST', `/api/vms/${vmId}/migrate`, { peer, copyStorage: false });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return jobIn(from, (started.body as JobBody).id, ['completed']);
}

describe('UEFI guests move with their variable store', () => {
  it('live (running, then paused) and offline: an identical store arrives, the source store is gone', async (ctx) => {
    if (!ovmf) ctx.skip();
    // 512 MiB: GRUB under OVMF needs it.
    const guest = await bootCounting(a, 'efi-mover', { memoryMiB: 512, firmware: 'uefi' });
    const check = await a.api('POST', `/api/vms/${guest.id}/migrate/check`, { peer: cluster.aToB });
    const checks = (check.body as { checks: JobBody['checks'] }).checks;
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.name === 'firmware')?.detail).toMatch(/has OVMF; .*variable store is copied/);
    const before = await fs.readFile(storeOf(a, guest.id));

    const done = await migrate(a, guest.id, cluster.aToB);
    const lastOnA = lastTick(guest.serial);
    const there = done.targetVmId ?? '';
    expect((await vmOf(b, there))?.state).toBe('running');
    // (Running there, qemu has also written the arrived flash back to the file: the paused move below is the
    // one that proves the copy.)
    const arrived = await fs.readFile(storeOf(b, there));
    expect(arrived.equals(before)).toBe(true);
    expect(baseMode(storeOf(b, there))).toBe(0o600);
    expect(await vmOf(a, guest.id)).toBeUndefined();
    expect(await exists(storeOf(a, guest.id))).toBe(false);
    // The same guest goes on there: its counter continues, no second boot, and it still runs on UEFI.
    const serialB = await openSerial(b, there);
    await tickAbove(serialB, lastOnA);
    expect(serialB.text).not.toContain(READY);
    expect(await sh(serialB, 'test -d /sys/firmware/efi && echo on-efi', 'e')).toContain('on-efi');

    // Paused there and moved back live: it arrives paused, and its store is the one sent (qemu writes the
    // arrived flash back to the file only once the guest runs again, so this tells the copy apart).
    expect((await b.api('POST', `/api/vms/${there}/pause`)).status).toBe(202);
    const paused = await fs.readFile(storeOf(b, there));
    const back = await migrate(b, there, cluster.bToA);
    const home = back.targetVmId ?? '';
    expect((await vmOf(a, home))?.state).toBe('paused');
    expect((await fs.readFile(storeOf(a, home))).equals(paused)).toBe(true);
    expect(await exists(storeOf(b, there))).toBe(false);
    const serialA = await openSerial(a, home);
    expect((await a.api('POST', `/api/vms/${home}/resume`)).status).toBe(202);
    await tickAbove(serialA, lastTick(serialB));
    serialB.ws.close();

    // Stopped (its store has been in use), then moved offline: the store comes along, no stream involved.
    expect((await a.api('POST', `/api/vms/${home}/poweroff`)).status).toBe(202);
    await until('stopped on a', async () => ((await vmOf(a, home))?.state === 'stopped' ? true : undefined));
    serialA.ws.close();
    const stopped = await fs.readFile(storeOf(a, home));
    const offline = await migrate(a, home, cluster.aToB);
    const last = offline.targetVmId ?? '';
    expect((await vmOf(b, last))?.state).toBe('stopped');
    expect((await fs.readFile(storeOf(b, last))).equals(stopped)).toBe(true);
    expect(await exists(storeOf(a, home))).toBe(false);
  }, 240_000);

  it('offline, never started: no store is sent, the target makes its own at the first start', async (ctx) => {
    if (!ovmf) ctx.skip();
    const res = await a.api('POST', '/api/vms', {
      name: 'efi-fresh',
      memoryMiB: 512,
      vcpus: 1,
      machine: 'q35',
      firmware: 'uefi',
      nics: [],
    });
    expect(res.status).toBe(201);
    const id = (res.body as VmBody).id;
    const done = await migrate(a, id, cluster.aToB);
    const there = done.targetVmId ?? '';
    expect((await vmOf(b, there))?.state).toBe('stopped');
    expect(await exists(storeOf(b, there))).toBe(false);
    const cl = (await b.api('GET', `/api/vms/${there}/command-line`)).body as { notes: string[] };
    expect(cl.notes.join('\n')).toMatch(/variable store is made from .*OVMF_VARS/);
    expect(await vmOf(a, id)).toBeUndefined();
  }, 60_000);

  it('the target writes the store before its qemu starts, and takes it away with an aborted VM', async (ctx) => {
    if (!ovmf) ctx.skip();
    const store = await fs.readFile('/usr/share/OVMF/OVMF_VARS_4M.fd').catch(() => undefined);
    if (!store) ctx.skip();
    const sent = Buffer.from(store ?? []);
    sent.write('virtweb-nvram-marker', 0x1000); // not the template's bytes: the file is the one sent
    const body = {
      migrationProtocol: MIGRATION_PROTOCOL_VERSION,
      kind: 'live',
      config: {
        name: 'efi-half',
        memoryMiB: 512,
        vcpus: 1,
        machine: 'pc',
        firmware: 'uefi',
        nics: [],
      },
      disks: [],
      accel: 'tcg',
      nvram: sent.toString('base64'),
      source: { hostname: 'test', vmId: 'aaaaaaaaaaaa' },
    };
    const res = await b.api('POST', '/api/migrations/incoming', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { incomingId, vmId } = res.body as { incomingId: string; vmId: string };
    expect((await vmOf(b, vmId))?.pid).toBeGreaterThan(0); // qemu waits for the stream, on that file
    expect((await fs.readFile(storeOf(b, vmId))).equals(sent)).toBe(true);
    expect((await b.api('DELETE', `/api/migrations/incoming/${incomingId}`)).status).toBe(204);
    expect(await vmOf(b, vmId)).toBeUndefined();
    expect(await exists(storeOf(b, vmId))).toBe(false);

    // A BIOS guest has no store to take.
    const bios = { ...body, config: { ...body.config, firmware: 'bios' } };
    const refused = await b.api('POST', '/api/migrations/incoming', bios);
    expect(refused.status).toBe(400);
  }, 60_000);
});
