import { beforeAll, describe, expect, it } from 'vitest';
import { READY, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';

interface Tick {
  type: 'metrics.tick';
  host: { cpu: number; memTotal: number };
  vms: { id: string; point: { cpu: number; vcpus?: number[]; diskWr: number; netRx: number | null } }[];
}

// Real guests under TCG: one spins a busy loop, one idles; the sampler must tell them apart.
describe('metrics of running guests', () => {
  const server = useServer({ withGuestIso: true });
  let events: WsCollector;
  const ids: string[] = [];
  const serials: WsCollector[] = [];

  const ticks = (): Tick[] =>
    events.messages.filter((m) => m.startsWith('{"type":"metrics.tick"')).map((m) => JSON.parse(m) as Tick);
  const pointsOf = (id: string, after: number): Tick['vms'][number]['point'][] =>
    ticks()
      .slice(after)
      .flatMap((t) => t.vms.filter((v) => v.id === id).map((v) => v.point));

  beforeAll(async () => {
    events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    for (const name of ['busy', 'idle']) {
      expect(
        (await server.api('POST', '/api/images', { name: `${name}.qcow2`, format: 'qcow2', size: '256M' }))
          .status,
      ).toBe(201);
      const vm = await server.api('POST', '/api/vms', {
        name,
        memoryMiB: 256,
        vcpus: 1,
        disks: [{ image: `${name}.qcow2` }],
        cdrom: 'tinylinux.iso',
        boot: 'cdrom',
      });
      const id = (vm.body as { id: string }).id;
      ids.push(id);
      expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
      serials.push(new WsCollector(server.ws(`/api/vms/${id}/serial`)));
    }
    for (const s of serials) await s.waitFor((c) => c.text.includes(READY), 'guest ready', 90_000);
  });

  it('publishes one tick per second for all guests, with host figures', async () => {
    const start = ticks().length;
    await events.waitFor(() => ticks().length >= start + 3, 'three ticks', 10_000);
    const last = ticks().at(-1);
    expect(last?.vms.map((v) => v.id).sort()).toEqual([...ids].sort());
    expect(last?.host.memTotal).toBeGreaterThan(0);
    expect(last?.vms[0]?.point.netRx).toBeNull();
  });

  it('shows a busy loop near 100% of one vCPU within 3 s while the idle guest stays low', async () => {
    const [busyId, idleId] = ids as [string, string];
    const before = ticks().length;
    serials[0]?.ws.send('while :; do :; done &\n');
    const t0 = Date.now();
    await events.waitFor(
      () => pointsOf(busyId, before).some((p) => (p.vcpus?.[0] ?? 0) > 60),
      'busy vCPU above 60%',
      3_000 + 1_500, // 3 s for the guest, plus one tick interval and event delivery
    );
    const seenAfter = Date.now() - t0;
    // The requirement itself: within 3 s (plus a tick and its delivery).
    expect(seenAfter).toBeLessThan(4_500);
    // Two more seconds of the idle guest: two more ticks.
    const seen = ticks().length;
    await events.waitFor(() => ticks().length >= seen + 2, 'two more ticks', 5_000);
    const idle = pointsOf(idleId, before).map((p) => p.cpu);
    expect(Math.min(...idle)).toBeLessThan(30);
    serials[0]?.ws.send('kill %1\n');
  });

  it('shows disk writes when the guest writes with dd', async () => {
    const [busyId] = ids as [string];
    const before = ticks().length;
    serials[0]?.ws.send('dd if=/dev/zero of=/dev/vda bs=1M count=64 && sync\n');
    await events.waitFor(
      () => pointsOf(busyId, before).some((p) => p.diskWr > 1_000_000),
      'disk writes above 1 MB/s',
      20_000,
    );
  });

  it('serves the live ring and keeps minute history across a server restart', async () => {
    const id = ids[0] ?? '';
    const live = await server.api('GET', `/api/vms/${id}/metrics?range=5m`);
    expect(live.status).toBe(200);
    const body = live.body as { step: number; netNote: string; points: unknown[] };
    expect(body.step).toBe(1);
    expect(body.points.length).toBeGreaterThan(3);
    expect(body.netNote).toMatch(/user-mode/);
    expect((await server.api('GET', `/api/vms/${id}/metrics?range=2h`)).status).toBe(400);
    expect((await server.api('GET', '/api/vms/0123456789ab/metrics')).status).toBe(404);

    await server.restart('stop'); // SIGTERM flushes the current minute
    const day = (await server.api('GET', `/api/vms/${id}/metrics?range=24h`)).body as {
      step: number;
      points: { cpu: number; cpuMax?: number }[];
    };
    expect(day.step).toBe(60);
    expect(day.points.length).toBeGreaterThan(0);
    expect(day.points[0]?.cpuMax).toBeGreaterThan(50);
  });
});

describe('a guest is a host process', () => {
  const server = useServer({ withGuestIso: true });
  let id = '';

  beforeAll(async () => {
    const vm = await server.api('POST', '/api/vms', {
      name: 'proc',
      memoryMiB: 128,
      vcpus: 2,
      cdrom: 'tinylinux.iso',
    });
    id = (vm.body as { id: string }).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
  });

  it('shows pid, command line, vCPU threads and sockets as /proc sees them', async () => {
    const res = await server.api('GET', `/api/vms/${id}/process`);
    expect(res.status).toBe(200);
    const p = res.body as {
      pid: number;
      state: string;
      cmdline: string[];
      threads: { name: string; vcpu: number | null }[];
      sockets: { name: string; present: boolean }[];
      openFiles: number;
    };
    expect(p.cmdline[0]).toMatch(/qemu-system-x86_64$/);
    expect(p.cmdline).toContain('-S');
    expect(p.threads.filter((t) => t.vcpu !== null).map((t) => t.name)).toEqual(['CPU 0/TCG', 'CPU 1/TCG']);
    expect(p.sockets.filter((s) => s.present).map((s) => s.name)).toEqual([
      'qmp.sock',
      'qmp-user.sock',
      'monitor.sock',
      'vnc.sock',
      'serial.sock',
    ]);
    expect(p.openFiles).toBeGreaterThan(5);
    expect(p.state).toMatch(/^[RS] /);
  });

  it('sends a signal like kill does: SIGTERM stops cleanly, then the log explains it', async () => {
    expect((await server.api('POST', `/api/vms/${id}/signal`, { signal: 'SIGHUP' })).status).toBe(400);
    expect((await server.api('POST', `/api/vms/${id}/signal`, { signal: 'SIGTERM' })).status).toBe(202);
    const t0 = Date.now();
    let vm: { state: string; lastExit?: { kind: string; reason: string } } = { state: '' };
    while (vm.state !== 'stopped' && Date.now() - t0 < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      vm = (await server.api('GET', `/api/vms/${id}`)).body as typeof vm;
    }
    expect(vm.state).toBe('stopped');
    expect(vm.lastExit?.reason).toMatch(/SIGTERM/);
    expect((await server.api('POST', `/api/vms/${id}/signal`, { signal: 'SIGKILL' })).status).toBe(409);
    expect((await server.api('GET', `/api/vms/${id}/process`)).status).toBe(409);
    const log = (await server.api('GET', `/api/vms/${id}/log?lines=50`)).body as {
      text: string;
      hints: { hint: string }[];
    };
    expect(log.text).toMatch(/terminating on signal 15/);
    expect(log.hints.map((h) => h.hint).join(' ')).toMatch(/SIGTERM/);
  });
});
