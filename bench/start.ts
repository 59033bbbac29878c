// Benchmark: starting a guest through the API (POST /api/vms/:id/start until it answers `running`) against
// bare qemu with the same argv, as the same user, driven by QMP (spawn -> greeting -> qmp_capabilities ->
// cont -> RESUME), alternating A B A B in one run. A second bare variant polls the QMP socket every 25 ms as
// the server's startQemu does, to show what that interval costs. The server runs with VIRTWEB_DEBUG_TIMING=1:
// its `timing start <id>: ...` lines say where the API's time goes.
import { createGuest } from '../apps/server/test/harness.ts';
import { bareArgv, contUntilResumed, makeBareDir, qemuIds, quitBare, spawnBare } from './lib/bare-qemu.ts';
import { saveResult, type Figures } from './lib/results.ts';
import { benchServer, disposeServer, powerOff } from './lib/server.ts';
import { median, ms, ratio, summarize, textTable } from './lib/stats.ts';

const RUNS = Number(process.env.BENCH_START_RUNS ?? 7);
const TARGET_RATIO = 1.25;

/** `timing start <id>: checks 1.2 ms, launch (...) 40.1 ms, ...` -> step name -> ms. */
export function parseSpans(line: string): Record<string, number> {
  const body = line.slice(line.indexOf(': ') + 2);
  const out: Record<string, number> = {};
  for (const part of body.split(', ')) {
    const m = /^(.*) ([\d.]+) ms$/.exec(part);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = Number(m[2]);
  }
  return out;
}

export async function startBench(): Promise<void> {
  const server = await benchServer({ VIRTWEB_DEBUG_TIMING: '1' });
  try {
    const ids = await qemuIds();
    const { id } = await createGuest(server, 'bench-start', { memoryMiB: 64 });
    // A warm-up start: the first one probes the host and grants the files; not what is measured.
    await server.api('POST', `/api/vms/${id}/start`);
    await powerOff(server, id);
    const bareDir = await makeBareDir(server, 'bare00000000', ids);
    const argv = await bareArgv(server, id, bareDir);

    const api: number[] = [];
    const bare: number[] = [];
    const bareReady: number[] = [];
    const bare25: number[] = [];
    const spans: Record<string, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      const from = server.output.length;
      const t0 = performance.now();
      const res = await server.api('POST', `/api/vms/${id}/start`);
      api.push(performance.now() - t0);
      const state = (res.body as { state?: string } | undefined)?.state;
      if (res.status >= 300 || state !== 'running')
        throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
      const line = /timing start \S+: .*/.exec(server.output.slice(from))?.[0];
      if (line) spans.push(parseSpans(line));
      await powerOff(server, id);

      for (const [poll, into] of [
        [1, bare],
        [25, bare25],
      ] as const) {
        const t1 = performance.now();
        const q = await spawnBare(argv, bareDir, ids, poll);
        await contUntilResumed(q.qmp);
        into.push(performance.now() - t1);
        if (poll === 1) bareReady.push(q.readyMs);
        await quitBare(q);
      }
    }

    const a = summarize(api);
    const b = summarize(bare);
    const b25 = summarize(bare25);
    console.log(
      `\nstart -> running, 64 MiB TCG guest, ${RUNS} alternating runs (API, bare, bare polling at 25 ms)`,
    );
    console.log(
      textTable([
        ['path', 'median', 'p90', 'min', 'max', 'vs bare'],
        ['API POST start', ms(a.median), ms(a.p90), ms(a.min), ms(a.max), ratio(a.median, b.median)],
        ['bare qemu, QMP polled 1 ms', ms(b.median), ms(b.p90), ms(b.min), ms(b.max), '1.00x'],
        [
          'bare, QMP polled 25 ms',
          ms(b25.median),
          ms(b25.p90),
          ms(b25.min),
          ms(b25.max),
          ratio(b25.median, b.median),
        ],
      ]),
    );
    console.log(`  bare spawn -> QMP ready: median ${ms(median(bareReady))}; cont -> RESUME the rest`);
    const steps = Object.keys(spans[0] ?? {});
    if (steps.length > 0) {
      console.log('  where the API start goes (server spans, medians):');
      for (const s of steps) console.log(`    ${s.padEnd(42)} ${ms(median(spans.map((x) => x[s] ?? NaN)))}`);
    }
    const r = a.median / b.median;
    console.log(
      `  ratio API / bare: ${r.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${r <= TARGET_RATIO ? 'ok' : 'MISSED'}`,
    );
    const figures: Figures = {
      'api.median': a.median,
      'api.p90': a.p90,
      'bare.median': b.median,
      'bare25.median': b25.median,
      'bare.ready.median': median(bareReady),
      ratio: r,
    };
    for (const s of steps) figures[`span.${s}`] = median(spans.map((x) => x[s] ?? NaN));
    saveResult({ bench: 'start', params: { runs: RUNS }, figures });
  } finally {
    await disposeServer(server);
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await startBench();
