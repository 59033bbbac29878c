// The live-migration stream between two real servers goes through a relay that records it: qemu's TLS keeps
// a pattern written into the guest's RAM off the wire, the plain option (a trusted link) does not, and a
// handshake with credentials of another CA fails the job while the source keeps running.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStreamCerts } from '../src/migration/stream-certs.ts';
import {
  bootCounting,
  jobIn,
  lastTick,
  openSerial,
  sh,
  tickAbove,
  vmOf,
  vmsNamed,
  type JobBody,
} from './migration-cluster.ts';
import { useServerPair } from './server-fixture.ts';
import { startStreamRelay, type StreamRelay } from './stream-relay.ts';
import { until } from './until.ts';

const [a, b] = useServerPair({ withGuestIso: true });
let relay: StreamRelay;
/** b as a peer of a, reached through the relay. */
let peer = '';

beforeAll(async () => {
  relay = await startStreamRelay(b.url);
  const { token } = await b.makeToken('peer', 'migration over TLS test');
  const added = await a.api('POST', '/api/peers', { url: relay.url, token });
  if (added.status !== 201) throw new Error(`add peer: ${added.status} ${JSON.stringify(added.body)}`);
  peer = (added.body as { id: string }).id;
});
afterAll(() => relay.close());

/**
 * Fills a tmpfs in the guest with a line made of random letters many times over (about 2 MiB of RAM);
 * returns the line.
 */
async function writePattern(serial: Parameters<typeof sh>[0]): Promise<string> {
  const line = `vwpattern-${crypto.randomBytes(12).toString('hex')}`;
  const out = await sh(
    serial,
    `mkdir -p /mnt/vwp && mount -t tmpfs tmpfs /mnt/vwp && yes ${line} | head -n 60000 > /mnt/vwp/p; echo size=$(wc -c < /mnt/vwp/p)`,
    'w',
    60_000,
  );
  // The counter's ticks interleave with the answer on the console.
  expect(Number(/size=(\d+)/.exec(out)?.[1]), out).toBeGreaterThan(1_000_000);
  return line;
}

/** Migrates the guest to b through the relay; returns the job at its end and the bytes the relay saw. */
async function migrate(
  id: string,
  options: Record<string, unknown>,
): Promise<{ job: JobBody; wire: Buffer }> {
  const from = relay.recorded().length;
  const started = await a.api('POST', `/api/vms/${id}/migrate`, { peer, options });
  expect(started.status).toBe(202);
  const job = await jobIn(a, (started.body as JobBody).id, ['completed', 'failed', 'cancelled'], 180_000);
  return { job, wire: relay.recorded().subarray(from) };
}

describe('the live-migration stream', () => {
  it('a handshake with credentials of another CA fails the job with the reason; the source keeps running', async () => {
    const guest = await bootCounting(a, 'tls-refused');
    const other = await makeStreamCerts();
    relay.tamper = (answer) => ({ ...answer, tls: other.client });
    try {
      const { job } = await migrate(guest.id, {});
      expect(job.phase).toBe('failed');
      expect(job.error).toMatch(/certificate|TLS|handshake/i);
    } finally {
      relay.tamper = undefined;
    }
    expect((await vmOf(a, guest.id))?.state).toBe('running');
    await tickAbove(guest.serial, lastTick(guest.serial));
    await until(
      'the half VM gone from b',
      async () => (await vmsNamed(b, 'tls-refused')).length === 0 || undefined,
    );
  }, 300_000);

  it('is encrypted by default: the pattern in the guest RAM is not on the wire, and the guest runs on b', async () => {
    const guest = await bootCounting(a, 'tls-moved');
    const line = await writePattern(guest.serial);
    const { job, wire } = await migrate(guest.id, {});
    expect(job.phase, job.error).toBe('completed');
    expect(wire.length).toBeGreaterThan(1_000_000);
    expect(wire[0]).toBe(0x16); // a TLS handshake record, not qemu's stream header
    expect(wire.includes(line)).toBe(false);
    const serialB = await openSerial(b, job.targetVmId ?? '');
    expect(await sh(serialB, `echo count=$(grep -c ${line} /mnt/vwp/p)`, 'c')).toMatch(/count=60000/);
  }, 300_000);

  it('copies the disks over TLS too: a pattern written to the disk is not on the wire', async () => {
    const guest = await bootCounting(a, 'tls-disk', {
      disks: [{ image: 'tls-disk.qcow2', create: { format: 'qcow2', sizeBytes: 32 * 2 ** 20 } }],
    });
    const line = `vwdisk-${crypto.randomBytes(12).toString('hex')}`;
    await sh(
      guest.serial,
      `yes ${line} | head -n 60000 > /dev/vda; sync; echo 3 > /proc/sys/vm/drop_caches`,
      'd',
    );
    const from = relay.recorded().length;
    const started = await a.api('POST', `/api/vms/${guest.id}/migrate`, { peer, copyStorage: true });
    expect(started.status).toBe(202);
    const job = await jobIn(a, (started.body as JobBody).id, ['completed', 'failed', 'cancelled'], 180_000);
    expect(job.phase, job.error).toBe('completed');
    const wire = relay.recorded().subarray(from);
    expect(wire.length).toBeGreaterThan(2_000_000);
    expect(wire.includes(line)).toBe(false);
    const serialB = await openSerial(b, job.targetVmId ?? '');
    expect(await sh(serialB, `echo count=$(head -c 2000000 /dev/vda | grep -c ${line})`, 'c')).toMatch(
      /count=60000/,
    );
  }, 300_000);

  it('is plain TCP when asked (a trusted link): the same pattern is on the wire', async () => {
    const guest = await bootCounting(a, 'plain-moved');
    const line = await writePattern(guest.serial);
    const { job, wire } = await migrate(guest.id, { plainStream: true });
    expect(job.phase, job.error).toBe('completed');
    expect(wire.includes(line)).toBe(true);
  }, 300_000);
});
