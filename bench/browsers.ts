// Benchmark: many browsers on one server. BENCH_EVENT_CLIENTS (50) `/api/events` clients and BENCH_VIEWERS (10)
// VNC viewers of one guest whose whole screen keeps changing (bench/vnc: VBE mode + panner); one viewer may
// type (a session), the others are view-only (a read token). Reports: the server's CPU per viewer (against
// the same server and guest with no viewer, same run), the delay of a change (PUT labels -> vm.updated) to
// every events client, p50/p99; then two clients that read nothing (an events socket, and a VNC viewer that
// asked for hundreds of full frames) while BENCH_FLOOD changes are published: the server's RSS, the others'
// delay meanwhile, and the close each stalled client finds when it reads again (4408: dropped as too slow).
import type { TestServer } from '../apps/server/test/harness.ts';
import { EventClients } from './lib/event-clients.ts';
import { cpuPercent, rssMiB } from './lib/proc-figures.ts';
import { saveResult } from './lib/results.ts';
import { viewerThroughServer, type Viewer } from './lib/rfb-wires.ts';
import { benchServer, disposeServer } from './lib/server.ts';
import { stalledClient, type StalledClient } from './lib/stalled-ws.ts';
import { quantile } from './lib/stats.ts';
import { bootTestGuest, Panner, setUpDisplay } from './vnc/guest.ts';

const EVENT_CLIENTS = Number(process.env.BENCH_EVENT_CLIENTS ?? 50);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10);
const ROUNDS = Number(process.env.BENCH_EVENT_ROUNDS ?? 20);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 10);
const FLOOD = Number(process.env.BENCH_FLOOD ?? 3000);
const [WIDTH, HEIGHT] = [640, 480];

/** Viewers that keep asking for the next (incremental) update until stopped; counts the frames. */
class ViewerLoad {
  frames = 0;
  private active = true;
  private readonly loops: Promise<void>[];

  constructor(readonly viewers: Viewer[]) {
    this.loops = viewers.map(async (v) => {
      while (this.active) {
        await v.rfb.frame(true);
        this.frames++;
      }
    });
  }

  async stop(): Promise<void> {
    this.active = false;
    await Promise.all(this.loops);
    for (const v of this.viewers) v.rfb.close();
  }
}

/** RFB from a client that never reads: handshake (security None, shared), Raw, and full-frame requests. */
function greedyRfb(requests: number): Buffer[] {
  const version = Buffer.from('RFB 003.008\n', 'latin1');
  const encodings = Buffer.from([2, 0, 0, 1, 0, 0, 0, 0]);
  const request = Buffer.alloc(10);
  request.writeUInt8(3, 0);
  request.writeUInt16BE(WIDTH, 6);
  request.writeUInt16BE(HEIGHT, 8);
  return [version, Buffer.of(1), Buffer.of(1), encodings, ...Array.from({ length: requests }, () => request)];
}

async function rounds(events: EventClients, server: TestServer, id: string, n: number): Promise<number[]> {
  const all: number[] = [];
  for (let i = 0; i < n; i++) all.push(...(await events.latencies(server, id)));
  return all;
}

/** Publishes `count` changes with 4000-character notes, 4 at a time; returns the highest server RSS seen. */
async function flood(server: TestServer, id: string, count: number): Promise<number> {
  let maxRss = 0;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      const n = sent++;
      await server.api('PUT', `/api/vms/${id}/labels`, { tags: [], notes: `flood ${n} `.padEnd(4000, 'x') });
      if (n % 100 === 0) maxRss = Math.max(maxRss, await rssMiB(server.pid()));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return maxRss;
}

export async function browsersBench(): Promise<void> {
  const server = await benchServer();
  const pid = (): number => server.pid();
  let load: ViewerLoad | undefined;
  let events: EventClients | undefined;
  let panner: Panner | undefined;
  try {
    const guest = await bootTestGuest(server);
    await setUpDisplay(server, guest.id, WIDTH, HEIGHT);
    panner = new Panner(guest.monitorPath);
    await panner.start();
    const { token } = await server.makeToken('read');
    const idleCpu = await cpuPercent(pid(), WINDOW_S);
    const viewers = await Promise.all(
      Array.from({ length: VIEWERS }, (_, i) =>
        viewerThroughServer(server, guest.id, i === 0 ? {} : { token }),
      ),
    );
    load = new ViewerLoad(viewers);
    const framesBefore = load.frames;
    const viewersCpu = await cpuPercent(pid(), WINDOW_S);
    const fps = (load.frames - framesBefore) / WINDOW_S / VIEWERS;

    events = await EventClients.open(server, EVENT_CLIENTS);
    await rounds(events, server, guest.id, 2); // warm-up
    const calm = await rounds(events, server, guest.id, ROUNDS);
    const rssBefore = await rssMiB(pid());

    const headers = { cookie: server.cookie, origin: server.url };
    const stalled: [string, StalledClient][] = [
      ['events client', await stalledClient(server.url, '/api/events', headers)],
      ['VNC viewer', await stalledClient(server.url, `/api/vms/${guest.id}/vnc`, headers, greedyRfb(400))],
    ];
    const floodRss = await flood(server, guest.id, FLOOD);
    const during = await rounds(events, server, guest.id, Math.max(1, ROUNDS / 2));
    const rssAfter = await rssMiB(pid());
    const drained = await Promise.all(
      stalled.map(async ([label, c]) => [label, await c.drain(45_000)] as const),
    );

    const p = (xs: number[], q: number): string => quantile(xs, q).toFixed(1);
    console.log(
      `\nmany browsers: ${EVENT_CLIENTS} events clients, ${VIEWERS} VNC viewers (1 session + view-only)`,
    );
    console.log(
      `  server CPU: ${idleCpu.toFixed(1)} % with no viewer (screen panning), ${viewersCpu.toFixed(1)} % with ` +
        `${VIEWERS}: ${((viewersCpu - idleCpu) / VIEWERS).toFixed(2)} % of one core per viewer at ${fps.toFixed(1)} frames/s each`,
    );
    console.log(
      `  change -> every events client: p50 ${p(calm, 0.5)} ms, p99 ${p(calm, 0.99)} ms (${ROUNDS} changes x ` +
        `${EVENT_CLIENTS} clients, target p99 <= 100 ms) ${quantile(calm, 0.99) <= 100 ? 'ok' : 'MISSED'}`,
    );
    console.log(
      `  with 2 stalled clients, after ${FLOOD} changes of ~5 KB each: p50 ${p(during, 0.5)} ms, p99 ${p(during, 0.99)} ms`,
    );
    console.log(
      `  server RSS ${rssBefore.toFixed(0)} MiB before, at most ${floodRss.toFixed(0)} MiB during, ${rssAfter.toFixed(0)} MiB after`,
    );
    for (const [label, d] of drained) {
      const how =
        d.closeCode === undefined
          ? d.end
          : `close ${d.closeCode}${d.closeCode === 4408 ? ' (too slow)' : ''}`;
      console.log(
        `  stalled ${label}: ${(d.bytes / 2 ** 20).toFixed(1)} MiB were waiting for it, then: ${how}`,
      );
    }
    saveResult({
      bench: 'browsers',
      params: {
        eventClients: EVENT_CLIENTS,
        viewers: VIEWERS,
        rounds: ROUNDS,
        flood: FLOOD,
        windowS: WINDOW_S,
      },
      figures: {
        'cpu.idle': idleCpu,
        'cpu.viewers': viewersCpu,
        'cpu.perViewer': (viewersCpu - idleCpu) / VIEWERS,
        'viewer.fps': fps,
        'events.p50': quantile(calm, 0.5),
        'events.p99': quantile(calm, 0.99),
        'events.stalled.p99': quantile(during, 0.99),
        'rss.before': rssBefore,
        'rss.flood.max': floodRss,
        'rss.after': rssAfter,
      },
    });
  } finally {
    panner?.stop();
    events?.close();
    await load?.stop();
    await disposeServer(server);
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await browsersBench();
