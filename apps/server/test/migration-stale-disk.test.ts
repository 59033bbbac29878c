// Issue 12, "Data loss in a move": a live move A→B with copy storage leaves A an old copy of the disk; the
// guest writes on B; the move back B→A without copy storage used to pass as "the same size (shared storage)"
// and A booted its stale copy. Two real servers on loopback with their own data dirs (two image stores) and
// real qemu: the move back is refused with a reason that does not point into that trap, A's copy is marked
// as left behind, and with copy storage B's disk replaces it and is what A boots.
import { MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { apiError, READY } from './harness.ts';
import { bootCounting, jobIn, openSerial, sh, twoServers, vmOf, type JobBody } from './migration-cluster.ts';
import { until } from './until.ts';

const cluster = twoServers({ bothWays: true });
const { a, b } = cluster;
const DISK = 'roundtrip.qcow2';

interface ImageBody {
  name: string;
  virtualSize: number;
  leftBehind?: { vmName: string; host: string; movedAt: string };
}

const imageOf = async (server: typeof a, name: string): Promise<ImageBody | undefined> => {
  const res = await server.api('GET', `/api/images/${name}`);
  return res.status === 200 ? (res.body as ImageBody) : undefined;
};

/** What the guest's first disk starts with (past the page cache). */
const diskHead = (serial: Awaited<ReturnType<typeof openSerial>>, tag: string) =>
  sh(serial, 'echo 3 > /proc/sys/vm/drop_caches; head -c 20 /dev/vda', tag);

describe('the stale disk: a move back never boots the old copy a move left behind', () => {
  it('A→B with copy storage, written on B, back B→A: refused without copy storage, copied with it', async () => {
    // On A: a guest with a disk that says "from-a".
    const guest = await bootCounting(a, 'roundtrip', {
      disks: [{ image: DISK, create: { format: 'qcow2', sizeBytes: 16 * 2 ** 20 } }],
    });
    await sh(guest.serial, 'echo disk-from-a > /dev/vda; sync', 'wa');

    // A→B live with copy storage: A keeps its old copy, marked as left behind.
    const there = await a.api('POST', `/api/vms/${guest.id}/migrate`, {
      peer: cluster.aToB,
      copyStorage: true,
    });
    expect(there.status, JSON.stringify(there.body)).toBe(202);
    const moved = await jobIn(a, (there.body as JobBody).id, ['completed'], 180_000);
    expect(moved.notes?.join(' ')).toMatch(/roundtrip\.qcow2 stay on this host as old copies/);
    const onB = moved.targetVmId ?? '';
    const peerNameOfB = ((await a.api('GET', '/api/peers')).body as { name: string }[])[0]?.name;
    const oldCopy = await imageOf(a, DISK);
    expect(oldCopy?.leftBehind).toEqual({
      vmName: 'roundtrip',
      host: peerNameOfB,
      movedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
    });
    expect((await imageOf(b, DISK))?.leftBehind).toBeUndefined();

    // On B the guest writes "from-b" to its disk, then is powered off.
    const serialB = await openSerial(b, onB);
    await sh(serialB, 'echo disk-from-b > /dev/vda; sync', 'wb');
    expect(await diskHead(serialB, 'rb')).toContain('disk-from-b');
    serialB.ws.close();
    expect((await b.api('POST', `/api/vms/${onB}/poweroff`)).status).toBe(202);
    await until('stopped on b', async () => ((await vmOf(b, onB))?.state === 'stopped' ? true : undefined));

    // B→A without copy storage: same name and size on A, but another store and a marked old copy: refused.
    const check = await b.api('POST', `/api/vms/${onB}/migrate/check`, { peer: cluster.bToA });
    const disks = (check.body as { checks: JobBody['checks'] }).checks.find((c) => c.name === 'disks');
    expect(disks?.ok).toBe(false);
    expect(disks?.detail).toMatch(/not on shared storage \(different image stores\): turn on "copy storage"/);
    expect(disks?.detail).toMatch(
      /roundtrip\.qcow2 on .* is an old copy left behind by moving roundtrip to .*, not the current disk/,
    );
    expect(disks?.detail).not.toMatch(/without copy storage|same files|same size/);
    const refused = await b.api('POST', `/api/vms/${onB}/migrate`, {
      peer: cluster.bToA,
      copyStorage: false,
    });
    expect(refused.status).toBe(409);
    expect(apiError(refused.body).code).toBe('precondition_failed');
    expect((await vmOf(b, onB))?.state).toBe('stopped');
    expect((await imageOf(a, DISK))?.leftBehind).toBeDefined();

    // A, as a target, refuses the old copy by itself too (a source that still trusts name and size).
    const sizeBytes = oldCopy?.virtualSize ?? 0;
    const incoming = await a.api('POST', '/api/migrations/incoming', {
      migrationProtocol: MIGRATION_PROTOCOL_VERSION,
      kind: 'offline',
      config: {
        name: 'roundtrip',
        memoryMiB: 128,
        vcpus: 1,
        machine: 'pc',
        nics: [],
        disks: [{ image: DISK }],
      },
      disks: [{ image: DISK, index: 0, format: 'qcow2', virtualSize: sizeBytes, create: false }],
      source: { hostname: 'an-older-source', vmId: onB },
    });
    expect(incoming.status).toBe(409);
    expect(apiError(incoming.body).message).toMatch(/roundtrip\.qcow2 here is an old copy left behind/);
    expect((await a.api('GET', '/api/vms')).body).toEqual([]);

    // With copy storage the check says the old copy is replaced, and the move copies B's disk over it.
    const copyCheck = await b.api('POST', `/api/vms/${onB}/migrate/check`, {
      peer: cluster.bToA,
      copyStorage: true,
    });
    const copyChecks = (copyCheck.body as { checks: JobBody['checks'] }).checks;
    expect(copyChecks.filter((c) => !c.ok)).toEqual([]);
    expect(copyChecks.find((c) => c.name === 'disks')?.detail).toMatch(
      /replaces on .*: roundtrip\.qcow2 \(an old copy/,
    );
    const back = await b.api('POST', `/api/vms/${onB}/migrate`, { peer: cluster.bToA, copyStorage: true });
    expect(back.status, JSON.stringify(back.body)).toBe(202);
    const home = await jobIn(b, (back.body as JobBody).id, ['completed'], 180_000);
    expect(home.notes?.join(' ')).toMatch(
      /the old copy of roundtrip\.qcow2 on .* was deleted; the copy replaces it/,
    );
    // Now B holds the old copy, and A's disk is the current one (not marked).
    expect((await imageOf(a, DISK))?.leftBehind).toBeUndefined();
    expect((await imageOf(b, DISK))?.leftBehind?.vmName).toBe('roundtrip');
    // A peer may delete only a marked old copy through the incoming side: A's current disk stays.
    const { token: peerToken } = await a.makeToken('peer', 'old copies');
    const kept = await a.request('DELETE', `/api/migrations/incoming/old-copies/${DISK}`, undefined, {
      authorization: `Bearer ${peerToken}`,
    });
    expect(kept.status).toBe(409);
    expect(apiError(kept.body).message).toMatch(/not an old copy left by a move/);
    expect(await imageOf(a, DISK)).toBeDefined();

    // A boots B's disk, never its stale copy.
    const onA = home.targetVmId ?? '';
    expect((await a.api('POST', `/api/vms/${onA}/start`)).status).toBe(202);
    const serialA = await openSerial(a, onA);
    await serialA.waitFor((c) => c.text.includes(READY), 'ready on a', 120_000);
    const head = await diskHead(serialA, 'ra');
    expect(head).toContain('disk-from-b');
    expect(head).not.toContain('disk-from-a');
    serialA.ws.close();
  }, 480_000);
});
