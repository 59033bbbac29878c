// Migration between two real servers on loopback (separate data dirs, real qemu under TCG): a live move with
// copy storage while a counter runs on the serial console, the preconditions, and an offline move.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiError, READY, TestServer, WsCollector } from './harness.ts';
import {
  twoServers,
  addPeer,
  bootCounting,
  jobIn,
  lastTick,
  openSerial,
  sh,
  tickAbove,
  ticks,
  vmOf,
  vmsNamed,
  type JobBody,
  type VmBody,
} from './migration-cluster.ts';

const cluster = twoServers();
const { a, b } = cluster;
/** The guest the first live test moved to b. */
let moved_: { id: string; serial: WsCollector } | undefined;

describe('live migration', () => {
  it('moves a running guest with its disk: the counter continues on the target, the source VM is gone', async () => {
    const guest = await bootCounting(a, 'mover', {
      disks: [{ image: 'mover.qcow2', create: { format: 'qcow2', sizeBytes: 32 * 2 ** 20 } }],
    });
    await sh(guest.serial, 'echo virtweb-marker-77 > /dev/vda; sync', 'm');
    const events = new WsCollector(a.ws('/api/events'));
    await events.opened();

    const body = { peer: cluster.aToB, copyStorage: true };
    const check = await a.api('POST', `/api/vms/${guest.id}/migrate/check`, body);
    expect(check.status).toBe(200);
    const checks = (check.body as { checks: JobBody['checks'] }).checks;
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['peer', 'state', 'qemu', 'disks', 'media', 'memory', 'name']),
    );
    expect(checks.find((c) => c.name === 'disks')?.detail).toMatch(/copy storage/);

    const started = await a.api('POST', `/api/vms/${guest.id}/migrate`, body);
    expect(started.status).toBe(202);
    const jobId = (started.body as JobBody).id;
    expect((started.body as JobBody).kind).toBe('live');
    // One job per VM.
    expect((await a.api('POST', `/api/vms/${guest.id}/migrate`, body)).status).toBe(409);
    const done = await jobIn(a, jobId, ['completed']);
    const lastOnA = lastTick(guest.serial);

    expect(done.downtimeMs).toBeGreaterThan(0);
    expect(done.totalTimeMs).toBeGreaterThan(0);
    expect(done.notes?.join(' ')).toMatch(/originals stay/);
    const targetId = done.targetVmId ?? '';
    const moved = await vmOf(b, targetId);
    expect(moved?.state).toBe('running');
    expect(moved?.name).toBe('mover');
    expect(await vmOf(a, guest.id)).toBeUndefined();
    // The images: a copy arrived on b, the original stays on a.
    expect((await b.api('GET', '/api/images/mover.qcow2')).status).toBe(200);
    expect((await a.api('GET', '/api/images/mover.qcow2')).status).toBe(200);

    // The same shell loop goes on on b: larger numbers, no second boot.
    const serialB = await openSerial(b, targetId);
    await tickAbove(serialB, lastOnA);
    expect(ticks(serialB).every((n) => n > lastOnA - 2)).toBe(true);
    expect(serialB.text).not.toContain(READY);
    const read = await sh(serialB, 'echo 3 > /proc/sys/vm/drop_caches; head -c 18 /dev/vda', 'r');
    expect(read).toContain('virtweb-marker-77');
    // The serial log came along: the guest's boot on a and its move are in b's log.
    const logB = String((await b.api('GET', `/api/vms/${targetId}/serial.log`)).body);
    expect(logB).toContain(READY);
    expect(logB).toMatch(/-- virtweb: moved here from \S+ at /);

    // Progress went out as events, about twice a second at most, and the end once.
    const mine = events.messages
      .filter((m) => m.includes('"migration.updated"') && m.includes(jobId))
      .map((m) => (JSON.parse(m) as { job: JobBody }).job);
    expect(mine.some((j) => j.phase === 'migrating' && (j.progress?.transferredBytes ?? 0) > 0)).toBe(true);
    expect(mine.filter((j) => j.phase === 'completed')).toHaveLength(1);
    const seconds = (Date.parse(mine.at(-1)?.endedAt ?? '') - Date.parse(done.startedAt)) / 1000;
    expect(mine.length).toBeLessThanOrEqual(Math.ceil(seconds * 2) + 4);
    events.ws.close();
    console.log(
      `[measure] server live migration with copy storage (128 MiB guest, 32 MiB disk): total ` +
        `${done.totalTimeMs ?? 0} ms, downtime ${done.downtimeMs ?? 0} ms, job ${seconds.toFixed(1)} s`,
    );
    moved_ = { id: targetId, serial: serialB };
  }, 240_000);

  it('moves a paused guest back: it arrives paused, and resumes where it stopped', async () => {
    const back = await addPeer(b, a);
    const { id, serial } = moved_ ?? { id: '', serial: undefined };
    expect((await b.api('POST', `/api/vms/${id}/pause`)).status).toBe(202);
    // The original image is still on a: remove it so the copy can go back.
    expect((await a.api('DELETE', '/api/images/mover.qcow2')).status).toBe(204);
    const started = await b.api('POST', `/api/vms/${id}/migrate`, { peer: back, copyStorage: true });
    expect(started.status).toBe(202);
    const done = await jobIn(b, (started.body as JobBody).id, ['completed']);
    const home = done.targetVmId ?? '';
    expect((await vmOf(a, home))?.state).toBe('paused');
    expect(await vmOf(b, id)).toBeUndefined();
    const serialA = await openSerial(a, home);
    // What is checked is that nothing arrives: no tick within a second.
    await new Promise((r) => setTimeout(r, 1000));
    expect(ticks(serialA)).toEqual([]); // still paused: nothing printed
    expect((await a.api('POST', `/api/vms/${home}/resume`)).status).toBe(202);
    await tickAbove(serialA, serial ? lastTick(serial) : 0);
    const read = await sh(serialA, 'echo 3 > /proc/sys/vm/drop_caches; head -c 18 /dev/vda', 'p');
    expect(read).toContain('virtweb-marker-77');
  }, 120_000);
});

describe('preconditions', () => {
  const create = async (server: TestServer, name: string, extra: Record<string, unknown> = {}) => {
    const res = await server.api('POST', '/api/vms', {
      name,
      memoryMiB: 64,
      vcpus: 1,
      machine: 'pc',
      nics: [],
      ...extra,
    });
    expect(res.status).toBe(201);
    return (res.body as VmBody).id;
  };
  const disk = (image: string) => ({ disks: [{ image, create: { format: 'qcow2', sizeBytes: 2 ** 20 } }] });

  it('explains what stands in the way, and refuses to start with the failed checks as details', async () => {
    const lonely = await create(a, 'lonely', disk('only-here.qcow2'));
    const res = await a.api('POST', `/api/vms/${lonely}/migrate`, { peer: cluster.aToB, copyStorage: false });
    expect(res.status).toBe(409);
    const err = apiError(res.body);
    expect(err.code).toBe('precondition_failed');
    expect(err.details).toEqual([
      {
        path: 'checks.disks',
        message: expect.stringMatching(/only-here\.qcow2\) are not on shared storage/) as string,
      },
    ]);

    await create(a, 'twin');
    await create(b, 'twin');
    const twinId = (await vmsNamed(a, 'twin'))[0]?.id ?? '';
    const twin = await a.api('POST', `/api/vms/${twinId}/migrate/check`, { peer: cluster.aToB });
    const name = (twin.body as { checks: JobBody['checks'] }).checks.find((c) => c.name === 'name');
    expect(name).toEqual({
      name: 'name',
      ok: false,
      detail: expect.stringMatching(/already has a VM named twin/) as string,
    });

    // Copy storage onto an image name the target already has.
    await b.api('POST', '/api/images', { name: 'clash.qcow2', format: 'qcow2', size: '1M' });
    const clash = await create(a, 'clasher', disk('clash.qcow2'));
    const copy = await a.api('POST', `/api/vms/${clash}/migrate/check`, {
      peer: cluster.aToB,
      copyStorage: true,
    });
    const disks = (copy.body as { checks: JobBody['checks'] }).checks.find((c) => c.name === 'disks');
    expect(disks?.ok).toBe(false);
    expect(disks?.detail).toMatch(/clash\.qcow2 exists on .* as another file .*delete it there/);
    expect(disks?.detail).not.toMatch(/without copy storage/);

    const nobody = await a.api('POST', `/api/vms/${clash}/migrate/check`, { peer: '0123456789ab' });
    expect(nobody.status).toBe(400);
    expect(apiError(nobody.body).details?.[0]?.path).toBe('peer');
  });
});

describe('offline move', () => {
  it('moves a stopped VM with its disk: the image arrives byte for byte, the VM is defined there', async () => {
    const res = await a.api('POST', '/api/vms', {
      name: 'parcel',
      memoryMiB: 64,
      vcpus: 1,
      machine: 'pc',
      nics: [{ mode: 'user', mac: '52:54:00:ab:cd:01' }],
      cdrom: 'tinylinux.iso',
      disks: [{ image: 'parcel.raw', create: { format: 'raw', sizeBytes: 4 * 2 ** 20 } }],
    });
    expect(res.status).toBe(201);
    const id = (res.body as VmBody).id;
    const marker = Buffer.from('virtweb-offline-marker');
    const fh = await fs.open(path.join(a.dataDir, 'images/parcel.raw'), 'r+');
    await fh.write(marker, 0, marker.length, 1024 * 1024);
    await fh.close();

    const started = await a.api('POST', `/api/vms/${id}/migrate`, { peer: cluster.aToB, copyStorage: true });
    expect(started.status).toBe(202);
    expect((started.body as JobBody).kind).toBe('offline');
    const done = await jobIn(a, (started.body as JobBody).id, ['completed']);
    expect(await vmOf(a, id)).toBeUndefined();
    const there = await vmOf(b, done.targetVmId ?? '');
    expect(there?.state).toBe('stopped');
    expect(there?.disks.map((d) => d.image)).toEqual(['parcel.raw']);
    // The NIC keeps its MAC on the new host (a guest's OS ties its network setup to it).
    expect(there?.nics.map((n) => n.mac)).toEqual(['52:54:00:ab:cd:01']);
    const copy = await fs.readFile(path.join(b.dataDir, 'images/parcel.raw'));
    const original = await fs.readFile(path.join(a.dataDir, 'images/parcel.raw'));
    expect(copy.length).toBe(4 * 2 ** 20);
    expect(copy.equals(original)).toBe(true);
    expect(copy.subarray(1024 * 1024, 1024 * 1024 + marker.length).toString()).toBe(marker.toString());
    expect(done.notes?.join(' ')).toMatch(/stay on this host/);
  }, 60_000);
});
