// Benchmark: time to render the guests list with 200 defined VMs in Debian chromium, from navigation start
// to the 200th row in the DOM and painted (the first animation frame after it appeared); median of 5 page
// loads after one warm-up. Baseline measured in the same run: the same page with 10 VMs. Target: < 200 ms.
// Needs a built web app (npm run build -w @virtweb/web): the server serves apps/web/dist.
import fs from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killGuestsOf, makeDataDir, TestServer } from '../apps/server/test/harness.ts';

const MANY = Number(process.env.BENCH_VMS ?? 200);
const BASELINE = Number(process.env.BENCH_BASELINE_VMS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 200;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Runs in the page before its scripts: watches the DOM for the N-th row of the guests table, then resolves
 * `window.__rowsPainted` with performance.now() of the next animation frame. A string, because the bench's
 * tsconfig has no DOM types.
 */
const watchRows = (rows: number): string => `
  window.__rowsPainted = new Promise((resolve) => {
    const enough = () => document.querySelectorAll('main table tbody tr').length >= ${rows};
    const observer = new MutationObserver(() => {
      if (!enough()) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now()));
    });
    observer.observe(document, { childList: true, subtree: true });
  });`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

/** When the `/api/vms` answer had arrived (ms since navigation start): what follows is render + paint. */
const VMS_ANSWERED = `performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/vms'))?.responseEnd ?? NaN`;

interface Load {
  /** Navigation start -> last row painted. */
  total: number;
  /** The `/api/vms` answer -> last row painted (React render, layout, paint). */
  render: number;
}

/** One warm-up load, then RUNS loads of /vms. */
async function measure(page: Page, url: string, rows: number): Promise<Load[]> {
  await page.addInitScript({ content: watchRows(rows) });
  const loads: Load[] = [];
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(`${url}/vms`, { waitUntil: 'commit' });
    const total = await page.evaluate<number>('window.__rowsPainted');
    const answered = await page.evaluate<number>(VMS_ANSWERED);
    const shown = await page.locator('main table tbody tr').count();
    if (shown !== rows) throw new Error(`expected ${rows} rows, the page shows ${shown}`);
    if (i > 0) loads.push({ total, render: total - answered });
  }
  return loads;
}

async function defineVms(server: TestServer, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const res = await server.api('POST', '/api/vms', {
      name: `bench-${String(i).padStart(3, '0')}`,
      memoryMiB: 128,
      vcpus: 1,
      disks: [],
      cdrom: 'tinylinux.iso',
    });
    if (res.status !== 201)
      throw new Error(`defining VM ${i} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Runs the benchmark and prints its figures; returns the median for 200 VMs in ms. */
export async function guestsListRenderBench(): Promise<number> {
  const dataDir = await makeDataDir(true);
  const server = await new TestServer(dataDir).start();
  let browser: Browser | undefined;
  try {
    await server.login();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const login = await context.request.post(`${server.url}/api/session`, {
      data: { password: server.password },
    });
    if (login.status() !== 204) throw new Error(`login failed: ${login.status()}`);

    await defineVms(server, 0, BASELINE);
    const few = await measure(await context.newPage(), server.url, BASELINE);
    await defineVms(server, BASELINE, MANY);
    const many = await measure(await context.newPage(), server.url, MANY);

    const base = median(few.map((l) => l.total));
    const result = median(many.map((l) => l.total));
    const list = (xs: Load[]) => xs.map((x) => x.total.toFixed(0)).join(', ');
    const render = (xs: Load[]) => median(xs.map((x) => x.render)).toFixed(0);
    console.log(
      `\nguests list render in Debian chromium (headless), navigation start -> last row painted, median of ${RUNS} warm loads`,
    );
    console.log(`  baseline, same page with ${BASELINE} VMs: ${base.toFixed(0)} ms (runs: ${list(few)})`);
    console.log(`  ${MANY} defined VMs: ${result.toFixed(0)} ms (runs: ${list(many)})`);
    console.log(
      `  of which after the /api/vms answer (render + paint): ${render(few)} ms with ${BASELINE}, ${render(many)} ms with ${MANY}`,
    );
    console.log(`  ratio ${MANY} VMs / ${BASELINE}-VM baseline: ${(result / base).toFixed(2)}x`);
    console.log(
      `  vs target ${TARGET_MS} ms: ${(result / TARGET_MS).toFixed(2)}x of the budget ${result < TARGET_MS ? 'ok' : 'MISSED'}`,
    );
    return result;
  } finally {
    await browser?.close();
    await server.stop();
    await killGuestsOf(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await guestsListRenderBench();
