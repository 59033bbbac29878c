// Benchmark: CPU cost of the metrics sampler for 50 running guests at 1 Hz, as % of one core used by the
// server process, against a named baseline measured in the same run: the same server with no guest running.
import fs from 'node:fs/promises';
import { killGuestsOf, makeDataDir, TestServer } from '../apps/server/test/harness.ts';
import { CLK_TCK, parseProcStat } from '../apps/server/src/metrics/proc.ts';

const GUESTS = Number(process.env.BENCH_GUESTS ?? 50);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function serverTicks(pid: number): Promise<number> {
  const stat = parseProcStat(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) throw new Error('cannot read the server process stat');
  return stat.ticks;
}

/** % of one core the server used over the window. */
async function measure(server: TestServer): Promise<number> {
  const pid = server.pid();
  const t0 = performance.now();
  const c0 = await serverTicks(pid);
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const c1 = await serverTicks(pid);
  const secs = (performance.now() - t0) / 1000;
  return ((c1 - c0) / CLK_TCK / secs) * 100;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function samplerCostBench(): Promise<void> {
  const dataDir = await makeDataDir(false);
  const server = await new TestServer(dataDir).start();
  try {
    await server.login();
    const ids: string[] = [];
    for (let i = 0; i < GUESTS; i++) {
      // No disk and no CD: SeaBIOS finds nothing to boot and idles, as a small idle guest does.
      const vm = await server.api('POST', '/api/vms', {
        name: `bench-${i}`,
        memoryMiB: 32,
        vcpus: 1,
        nics: [],
      });
      ids.push((vm.body as { id: string }).id);
    }
    const baseline: number[] = [];
    const loaded: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await measure(server));
      for (const id of ids) await server.api('POST', `/api/vms/${id}/start`);
      await new Promise((r) => setTimeout(r, 3000)); // let the first sampling rounds pass
      loaded.push(await measure(server));
      for (const id of ids) await server.api('POST', `/api/vms/${id}/poweroff`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    const base = median(baseline);
    const withGuests = median(loaded);
    console.log(
      `\nmetrics sampler, ${GUESTS} running guests at 1 Hz, server CPU over ${WINDOW_S} s windows, median of ${ROUNDS}`,
    );
    console.log(`  baseline (same server, no guest running): ${base.toFixed(2)} % of one core`);
    console.log(`  with ${GUESTS} guests sampled:            ${withGuests.toFixed(2)} % of one core`);
    console.log(`  sampling cost: ${(withGuests - base).toFixed(2)} % of one core (target < 2 %)`);
    console.log(`  ratio with/without guests: ${(withGuests / Math.max(base, 0.01)).toFixed(1)}x`);
  } finally {
    await server.stop();
    await killGuestsOf(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await samplerCostBench();
