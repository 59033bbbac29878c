import fs from 'node:fs/promises';
import { killGuestsOf, makeDataDir, TestServer } from '../../apps/server/test/harness.ts';
import type { RfbClient } from '../../apps/server/test/rfb-client.ts';
import { FakeRfbServer } from './fake-rfb-server.ts';
import { bootTestGuest, Panner, setUpDisplay, type BenchGuest } from './guest.ts';
import { childPids, summarize, timedRun, type Run } from './measure.ts';
import { CpuPlacement } from './pin.ts';
import { pairedRatio, table, verdict, type PathRow } from './report.ts';
import { rfbOverLeanWs, rfbOverUnix } from './rfb-transports.ts';
import { Websockify } from './websockify.ts';

const RUNS_GUEST = Number(process.env.BENCH_RUNS ?? 5);
/** More rounds for (b): its per-round figures swing more (every path at full speed on a noisy machine). */
const RUNS_FAKE = Number(process.env.BENCH_RUNS ?? 9);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WIDTH = 1280;
const HEIGHT = 1024;

interface BenchPath {
  label: string;
  open: () => Promise<RfbClient>;
  /** The processes doing the relaying (for their CPU time); none for the raw socket. */
  relayPids: () => number[];
}

type Cleanup = () => Promise<void> | void;

/** RUNS rounds; every round runs each path once, so drifting machine load hits all paths alike. */
async function scenario(paths: BenchPath[], rounds: number, warmupS: number): Promise<PathRow[]> {
  const runs = new Map<string, Run[]>(paths.map((p) => [p.label, []]));
  // One untimed pass first: the first viewer of a fresh server would otherwise also measure JIT warm-up.
  for (const p of paths) await timedRun(p.open, 1, warmupS);
  for (let round = 1; round <= rounds; round++) {
    for (const p of paths) {
      const run = await timedRun(p.open, SECONDS, warmupS, p.relayPids);
      runs.get(p.label)?.push(run);
      const fps = run.frames / run.seconds;
      process.stderr.write(`  round ${round}/${rounds} ${p.label}: ${fps.toFixed(1)} frames/s\n`);
    }
  }
  return paths.map((p) => {
    const pathRuns = runs.get(p.label) ?? [];
    return { label: p.label, runs: pathRuns, summary: summarize(pathRuns) };
  });
}

/** One RFB client, three ways to the same unix socket path. */
function pathsFor(server: TestServer, guest: BenchGuest, websockify: Websockify): BenchPath[] {
  const wsBase = server.url.replace('http', 'ws');
  return [
    {
      label: 'virtweb /api/vms/:id/vnc',
      open: () => rfbOverLeanWs(`${wsBase}/api/vms/${guest.id}/vnc`, { cookie: server.cookie }),
      relayPids: () => childPids(process.pid, 'apps/server/src/main.ts'),
    },
    {
      label: 'websockify 0.10',
      open: () => rfbOverLeanWs(websockify.url),
      relayPids: () => {
        const pid = websockify.proc?.pid;
        return pid === undefined ? [] : [pid, ...childPids(pid)];
      },
    },
    { label: 'raw unix socket', open: () => rfbOverUnix(guest.vncPath), relayPids: () => [] },
  ];
}

async function measureBoth(
  cleanups: Cleanup[],
  placement: CpuPlacement,
): Promise<{ guest: PathRow[]; fake: PathRow[] }> {
  const dataDir = await makeDataDir(true);
  cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
  cleanups.push(() => killGuestsOf(dataDir));
  const server = new TestServer(dataDir);
  cleanups.push(() => server.stop());
  await server.start();
  await server.login();
  process.stderr.write('booting the test guest (TCG) and painting its screen...\n');
  const guest = await bootTestGuest(server);
  await setUpDisplay(server, guest.id, WIDTH, HEIGHT);
  const websockify = await new Websockify(guest.vncPath).start();
  cleanups.push(() => websockify.stop());
  const paths = pathsFor(server, guest, websockify);

  process.stderr.write(`(a) test guest at ${WIDTH}x${HEIGHT}, whole screen changing every 10 ms\n`);
  const panner = new Panner(guest.monitorPath);
  await panner.start();
  cleanups.push(() => panner.stop());
  const guestRows = await scenario(paths, RUNS_GUEST, 1);
  panner.stop();

  // NOTE: a renamed unix socket keeps listening (connect() resolves the path to the inode), so qemu's VNC
  // server is set aside under another name and put back afterwards; our server and websockify connect by
  // path for every viewer and meanwhile reach the fake server, with the guest paused.
  process.stderr.write('(b) fake RFB server at the same socket path, answering every request at once\n');
  await server.api('POST', `/api/vms/${guest.id}/pause`);
  const aside = `${guest.vncPath}.qemu`;
  await fs.rename(guest.vncPath, aside);
  // The fake server runs on the bench's own thread, taking turns with the client: source and sink together
  // get one core and the relay the other (pinned there, see pin.ts).
  const fake = await new FakeRfbServer(guest.vncPath, WIDTH, HEIGHT).listen();
  cleanups.push(async () => {
    await fake.close();
    await fs.rename(aside, guest.vncPath);
  });
  cleanups.push(() => placement.release()); // before pinning: a taskset failing half-way is undone too
  placement.pin(process.pid, 0);
  placement.pin(server.pid(), 1);
  if (websockify.proc?.pid !== undefined) placement.pin(websockify.proc.pid, 1);
  const fakeRows = await scenario(paths, RUNS_FAKE, 0.5);
  return { guest: guestRows, fake: fakeRows };
}

/**
 * The VNC transport benchmark of issue 3: our `/api/vms/:id/vnc` websocket, websockify `--unix-target` and
 * the unix socket itself, (a) against the test guest and (b) against a fake server that answers at once.
 * Everything it needs is started here, on 127.0.0.1 only, and stopped on the way out (also on Ctrl+C).
 */
export async function vncTransportBench(): Promise<void> {
  const t0 = Date.now();
  const cleanups: Cleanup[] = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  const onSignal = (): void => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let rows: { guest: PathRow[]; fake: PathRow[] };
  const placement = CpuPlacement.detect();
  try {
    rows = await measureBoth(cleanups, placement);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const row = (set: PathRow[], label: string): PathRow | undefined =>
    set.find((r) => r.label.startsWith(label));
  const [ga, gr] = [row(rows.guest, 'virtweb'), row(rows.guest, 'raw')];
  const [fa, fw, fr] = [row(rows.fake, 'virtweb'), row(rows.fake, 'websockify'), row(rows.fake, 'raw')];
  console.log(
    `\nVNC transport: ${WIDTH}x${HEIGHT} Raw 32 bpp, one client requesting full non-incremental frames;` +
      ` ${RUNS_GUEST} rounds (a) and ${RUNS_FAKE} rounds (b) of ${SECONDS} s per path, paths interleaved;` +
      ' figures are medians over rounds, ratios the median of the per-round ratios\n',
  );
  console.log(
    table('(a) test guest, whole screen changing (qemu refreshes every 30 ms at best)', rows.guest, 'fps'),
  );
  console.log(table('\n(b) fake RFB server answering at once (transport ceiling)', rows.fake, 'mbps'));
  console.log(`(b) ${placement.note}`);
  console.log(
    '\nrelay CPU: CPU time (user + system) of the relaying process during the runs, per GB carried',
  );
  console.log('targets');
  if (ga && gr)
    console.log(verdict('(a) virtweb frames/s vs raw', pairedRatio(ga, gr, 'fps'), 0.97, 'percent'));
  if (fa && fw)
    console.log(verdict('(b) virtweb MB/s vs websockify', pairedRatio(fa, fw, 'mbps'), 1.2, 'times'));
  if (fa && fr) console.log(verdict('(b) virtweb MB/s vs raw', pairedRatio(fa, fr, 'mbps'), 0.6, 'percent'));
  console.log(`\nbench took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
