// Benchmark: many small guests (64 MiB, TCG, the test ISO) on one server, at each count of BENCH_GUESTS_STEPS
// (default 1,10,50,100, up to BENCH_GUESTS): starting them all at once through the API against spawning as
// many bare qemu with the same argv (bench/lib/bare-qemu.ts), the server's RSS, its CPU above a baseline
// with no guest (the metrics sampler, mostly), GET /api/vms p50/p99 over 200 requests, and after `kill -9` of
// the server the time until every guest is adopted and listed running. One column per count.
import { createGuest, type TestServer } from '../apps/server/test/harness.ts';
import {
  bareArgv,
  contUntilResumed,
  makeBareDir,
  qemuIds,
  quitBare,
  spawnBare,
  type QemuIds,
} from './lib/bare-qemu.ts';
import { cpuPercent, rssMiB } from './lib/proc-figures.ts';
import { saveResult, type Figures } from './lib/results.ts';
import { benchServer, disposeServer, powerOff } from './lib/server.ts';
import { quantile, textTable } from './lib/stats.ts';

const MAX = Number(process.env.BENCH_GUESTS ?? 100);
const STEPS = (process.env.BENCH_GUESTS_STEPS ?? '1,10,50,100')
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= MAX);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 200);

interface Step {
  guests: number;
  apiStartMs: number;
  bareStartMs: number;
  rssMiB: number;
  cpuPercent: number;
  listP50: number;
  listP99: number;
  adoptMs: number;
  adoptAfterListenMs: number;
  adoptAllMs: number;
}

type VmList = { id: string; state: string }[];

async function allRunning(server: TestServer, ids: readonly string[]): Promise<boolean> {
  const res = await server.api('GET', '/api/vms');
  if (res.status !== 200) return false;
  const running = new Set((res.body as VmList).filter((v) => v.state === 'running').map((v) => v.id));
  return ids.every((id) => running.has(id));
}

/** Spawns one bare qemu per VM at once (each in its own run dir) until all run; quits them. */
async function bareStartAll(
  server: TestServer,
  ids: readonly string[],
  qemu: QemuIds | undefined,
): Promise<number> {
  const argvs = await Promise.all(
    ids.map(async (id, i) => {
      const dir = await makeBareDir(server, `bare${String(i).padStart(8, '0')}`, qemu);
      return { dir, argv: await bareArgv(server, id, dir) };
    }),
  );
  const t0 = performance.now();
  const bares = await Promise.all(
    argvs.map(async ({ dir, argv }) => {
      // The server polls QMP every 25 ms; so does this baseline, for the same work.
      const q = await spawnBare(argv, dir, qemu, 25);
      await contUntilResumed(q.qmp);
      return q;
    }),
  );
  const ms = performance.now() - t0;
  await Promise.all(bares.map((q) => quitBare(q)));
  return ms;
}

async function apiStartAll(server: TestServer, ids: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const answers = await Promise.all(ids.map((id) => server.api('POST', `/api/vms/${id}/start`)));
  const ms = performance.now() - t0;
  const failed = answers.find((a) => a.status >= 300);
  if (failed) throw new Error(`start: ${failed.status} ${JSON.stringify(failed.body)}`);
  return ms;
}

async function listLatency(server: TestServer): Promise<{ p50: number; p99: number }> {
  const xs: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    await server.api('GET', '/api/vms');
    xs.push(performance.now() - t0);
  }
  return { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) };
}

/**
 * kill -9, start again: ms from the kill until GET /api/vms lists every guest running, and of that the part
 * after the server listened and took a login (the rest is the process starting: node, tsx, the database).
 */
async function adoptAfterKill(server: TestServer, ids: readonly string[]): Promise<[number, number, number]> {
  const t0 = performance.now();
  const from = server.output.length;
  await server.restart('kill9');
  // The server's own span (VIRTWEB_DEBUG_TIMING): `timing adopt all: 10 guests 812.3 ms, total ...`.
  const span = /timing adopt all: \d+ guests ([\d.]+) ms/.exec(server.output.slice(from))?.[1];
  const listening = performance.now();
  while (!(await allRunning(server, ids))) await new Promise((r) => setTimeout(r, 10));
  const end = performance.now();
  return [end - t0, end - listening, span === undefined ? NaN : Number(span)];
}

async function measureStep(
  server: TestServer,
  ids: string[],
  qemu: QemuIds | undefined,
  base: number,
): Promise<Step> {
  const apiStartMs = await apiStartAll(server, ids);
  await new Promise((r) => setTimeout(r, 3000)); // the first sampling rounds
  const rss = await rssMiB(server.pid());
  const cpu = (await cpuPercent(server.pid(), WINDOW_S)) - base;
  const list = await listLatency(server);
  const [adoptMs, adoptAfterListenMs, adoptAllMs] = await adoptAfterKill(server, ids);
  const ends = await Promise.all(ids.map((id) => powerOff(server, id)));
  for (const [i, id] of ids.entries()) {
    if (ends[i] !== 'crashed') continue;
    const vm = (await server.api('GET', `/api/vms/${id}`)).body as { lastExit?: unknown };
    console.log(`  NOTE: adopted guest ${id} ended crashed on poweroff: ${JSON.stringify(vm.lastExit)}`);
  }
  // After the API's start: the server has granted qemu's user the files by then.
  const bareStartMs = await bareStartAll(server, ids, qemu);
  return {
    guests: ids.length,
    apiStartMs,
    bareStartMs,
    rssMiB: rss,
    cpuPercent: cpu,
    listP50: list.p50,
    listP99: list.p99,
    adoptMs,
    adoptAfterListenMs,
    adoptAllMs,
  };
}

function growthTable(steps: Step[], baseRss: number, baseCpu: number): string {
  const row = (label: string, f: (s: Step) => string): string[] => [label, ...steps.map(f)];
  return textTable([
    ['guests', ...steps.map((s) => String(s.guests))],
    row('start all, API (ms)', (s) => s.apiStartMs.toFixed(0)),
    row('start all, bare qemu (ms)', (s) => s.bareStartMs.toFixed(0)),
    row('  API / bare (target <= 1.5x)', (s) => `${(s.apiStartMs / s.bareStartMs).toFixed(2)}x`),
    row(`server RSS (MiB; ${baseRss.toFixed(0)} idle)`, (s) => s.rssMiB.toFixed(0)),
    row(`server CPU above idle (%; idle ${baseCpu.toFixed(2)})`, (s) => s.cpuPercent.toFixed(2)),
    row('GET /api/vms p50 (ms)', (s) => s.listP50.toFixed(1)),
    row('GET /api/vms p99 (ms)', (s) => s.listP99.toFixed(1)),
    row('kill -9 -> all listed running (ms)', (s) => s.adoptMs.toFixed(0)),
    row('  the server adopting them (ms)', (s) => s.adoptAllMs.toFixed(0)),
    row('  after it listened and took a login (ms)', (s) => s.adoptAfterListenMs.toFixed(0)),
  ]);
}

export async function guestsBench(): Promise<void> {
  const server = await benchServer({ VIRTWEB_DEBUG_TIMING: '1' });
  try {
    const qemu = await qemuIds();
    const baseRss = await rssMiB(server.pid());
    const baseCpu = await cpuPercent(server.pid(), WINDOW_S);
    const ids: string[] = [];
    const steps: Step[] = [];
    for (const n of STEPS) {
      while (ids.length < n) {
        const vm = await createGuest(server, `bench-${ids.length}`, { memoryMiB: 64 });
        ids.push(vm.id);
      }
      steps.push(await measureStep(server, ids, qemu, baseCpu));
    }
    console.log(
      `\nmany guests (64 MiB TCG, test ISO), all started at once; CPU over ${WINDOW_S} s, GET /api/vms x${REQUESTS}`,
    );
    console.log(growthTable(steps, baseRss, baseCpu));
    const figures: Figures = { 'idle.rssMiB': baseRss, 'idle.cpuPercent': baseCpu };
    for (const s of steps) {
      for (const [k, v] of Object.entries(s) as [keyof Step, number][]) {
        if (k !== 'guests') figures[`${s.guests}.${k}`] = v;
      }
    }
    saveResult({ bench: 'guests', params: { steps: STEPS.join(','), windowS: WINDOW_S }, figures });
  } finally {
    await disposeServer(server);
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await guestsBench();
