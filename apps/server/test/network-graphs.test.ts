import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuest } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { errorMessage, GuestShell } from './storage-guest.ts';

interface NetPoint {
  netRx: number | null;
  netTx: number | null;
  netTxPkts?: number | null;
  nics?: { slot: number; rx: number; tx: number; rxPkts: number; txPkts: number }[];
}

// The network graph of a guest whose NIC goes through a tap: the tap's counters, read each second.
describe('network graphs', () => {
  // A bridge of its own with an address on the host side, for the guest to talk to.
  const bridge = `vwng${crypto.randomBytes(3).toString('hex')}`;
  const net = `10.${200 + crypto.randomInt(50)}.${crypto.randomInt(250)}`;
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('these tests need root (bridges and taps)');
    execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
    execFileSync('ip', ['addr', 'add', `${net}.1/24`, 'dev', bridge]);
    execFileSync('ip', ['link', 'set', 'dev', bridge, 'up']);
  });
  afterAll(() => {
    execFileSync('ip', ['link', 'delete', 'dev', bridge], { stdio: 'ignore' });
  });
  const server = useServer({ withGuestIso: true });

  it('moves while the guest sends and receives through its tap, per NIC and in total', async () => {
    const nics = [{ mode: 'bridge', model: 'virtio', bridge }];
    const { id } = await createGuest(server, 'graphed', { boot: 'cdrom', nics });
    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status, errorMessage(start.body)).toBe(202);
    const shell = await GuestShell.open(server, id);
    await shell.sh(`ip addr add ${net}.2/24 dev eth0; ip link set eth0 up`);
    await shell.until(
      `ping -c 1 -W 1 ${net}.1 >/dev/null && echo reached`,
      (o) => o.endsWith('reached'),
      'the bridge',
      30_000,
    );
    // About 1.4 MB each way over 10 s: echo requests out, replies back.
    shell.sh(`ping -c 100 -i 0.1 -s 1400 ${net}.1 >/dev/null`, 30_000).catch(() => undefined);
    let point: NetPoint | undefined;
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      const live = (await server.api('GET', `/api/vms/${id}/metrics?range=5m`)).body as {
        netNote?: string;
        points: NetPoint[];
      };
      expect(live.netNote).toBeUndefined(); // every NIC of this guest is counted
      point = live.points.find((p) => (p.netTx ?? 0) > 5_000 && (p.netRx ?? 0) > 5_000);
      if (point) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(point, 'a second with more than 5 kB/s each way').toBeDefined();
    expect(point?.nics?.map((n) => n.slot)).toEqual([0]);
    expect(point?.nics?.[0]?.tx).toBe(point?.netTx);
    expect(point?.netTxPkts).toBeGreaterThan(3);
    shell.close();
  }, 240_000);
});
