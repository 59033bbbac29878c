// The seeded soak: N guests, random operations with 1-4 in flight (2-4 most of the time), kill -9 of the server
// and of qemu at seeded moments, invariants checked after every pass and at the end. See README "Soak".
import fs from 'node:fs/promises';
import { killGuestsOf, makeDataDir } from '../harness.ts';
import { Chaos } from './chaos.ts';
import { Dispatcher } from './dispatch.ts';
import { finalChecks, type FinalFigures } from './final-checks.ts';
import { Invariants } from './invariants.ts';
import { sleep, type SoakContext } from './op-kit.ts';
import { OpLog } from './op-log.ts';
import { Prng } from './prng.ts';
import { scanProcesses } from './proc-scan.ts';
import { createWorld, seedDataDir } from './setup.ts';
import { SoakServer } from './soak-server.ts';
import { World } from './world.ts';

export interface SoakOptions {
  seed: number;
  minutes: number;
  guests: number;
  /** Kills over the run (default: 8 each per 15 minutes, at least 1 server and 2 qemu kills). */
  serverKills?: number | undefined;
  qemuKills?: number | undefined;
  /** Ends the run early (as a violation does: operations drain, guests are cleaned up, no final checks). */
  signal?: AbortSignal;
  /** Go on after a violation (to collect several in one run); default: stop at the first. */
  keepGoing?: boolean;
  logFile?: string | undefined;
  echo?: boolean;
  /** Keep the data dir at the end: default `on-violation` (for a look at its images and qemu logs). */
  keepDataDir?: 'never' | 'on-violation' | 'always';
}

export interface Violation {
  kind: string;
  text: string;
  at: string;
  tail: string[];
}

export interface SoakReport extends FinalFigures {
  seed: number;
  minutes: number;
  guests: number;
  /** API operations (lifecycle, storage, images), and marker writes and reads inside the guests. */
  operations: number;
  consoleOperations: number;
  byKind: Record<string, number>;
  /** Share of the run's time with 0, 1, 2, 3, 4+ API operations in flight. */
  inFlightShare: number[];
  serverKills: number;
  qemuKills: number;
  killsInside: string[];
  restartAnsweredMs: number[];
  crashShownMs: number[];
  markersSynced: number;
  violations: Violation[];
  /** The data dir, when it was kept. */
  keptDataDir: string | undefined;
  elapsedMs: number;
}

/** How long the operations under way at the end get to finish (an unplug may wait 60 s for its guest). */
const DRAIN_MS = 240_000;
const CONSOLE_KINDS = ['marker', 'verify'];

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = new OpLog({ file: opts.logFile, echo: opts.echo });
  const violations: Violation[] = [];
  const reported = new Set<string>();
  const soak = { stop: false };
  const dataDir = await makeDataDir(true);
  let markers = 0;
  const ctx: SoakContext = {
    world: new World(),
    server: new SoakServer(dataDir, { VIRTWEB_SHUTDOWN_TIMEOUT: '30' }, log, (k, t) => ctx.violation(k, t)),
    log,
    prng: new Prng(opts.seed),
    seed: opts.seed,
    dataDir,
    qemuKills: [],
    violation(kind, text, key) {
      if (key !== undefined && reported.has(key)) return;
      if (key !== undefined) reported.add(key);
      log.line(`VIOLATION ${kind}: ${text}`);
      violations.push({ kind, text, at: log.stamp(), tail: log.tail(40) });
      if (opts.keepGoing !== true) soak.stop = true;
    },
    nextMarker: () => ++markers,
  };
  log.line(`soak seed ${opts.seed}, ${opts.minutes} min, ${opts.guests} guests, data dir ${dataDir}`);
  const durationMs = opts.minutes * 60_000;
  const perQuarter = (n: number | undefined, min: number) =>
    n ?? Math.max(min, Math.round((8 * opts.minutes) / 15));
  const chaos = new Chaos(ctx, ctx.prng.fork('chaos'), durationMs, {
    serverKills: perQuarter(opts.serverKills, 1),
    qemuKills: perQuarter(opts.qemuKills, 2),
  });
  const dispatch = new Dispatcher(ctx, ctx.prng.fork('console'));
  let kept = false;
  let figures: FinalFigures = { qcow2Checked: 0, leaks: [], markersChecked: 0 };
  try {
    await seedDataDir(dataDir);
    await ctx.server.start();
    await createWorld(ctx, opts.guests);
    const invariants = new Invariants(ctx);
    const t0 = Date.now();
    opts.signal?.addEventListener('abort', () => (soak.stop = true));
    const over = () => soak.stop || Date.now() - t0 > durationMs;
    const checking = (async () => {
      while (!over()) {
        await invariants.tick();
        await sleep(1000);
      }
    })();
    const lanes = Promise.all([
      chaos.run(t0, over),
      dispatch.apiLane(over),
      dispatch.consoleLane(over),
      checking,
    ]);
    await lanes;
    log.line(
      `soak: ${soak.stop ? 'stopped by a violation' : 'time is up'}; waiting for ${dispatch.running} operations`,
    );
    await Promise.race([dispatch.drained(), sleep(DRAIN_MS)]);
    if (dispatch.running > 0)
      ctx.violation(
        'hung operation',
        `${dispatch.running} operations still running ${DRAIN_MS} ms after the end`,
      );
    if (!soak.stop) {
      for (let i = 0; i < 8; i++) {
        await invariants.tick();
        await sleep(1000);
      }
      await powerOffAll(ctx);
      figures = await finalChecks(ctx);
    }
  } catch (err) {
    ctx.violation('harness', `the soak itself failed: ${err instanceof Error ? err.stack : String(err)}`);
  } finally {
    for (const g of ctx.world.guests) g.console.close();
    await ctx.server.stop().catch(() => undefined);
    await killGuestsOf(dataDir);
    const keep = opts.keepDataDir ?? 'on-violation';
    kept = keep === 'always' || (keep === 'on-violation' && violations.length > 0);
    if (!kept) await fs.rm(dataDir, { recursive: true, force: true });
    await log.close();
  }
  const count = (console: boolean) =>
    Object.entries(dispatch.byKind)
      .filter(([k]) => CONSOLE_KINDS.includes(k) === console)
      .reduce((a, [, n]) => a + n, 0);
  const total = dispatch.inFlightMs.reduce((a, b) => a + b, 0) || 1;
  return {
    ...figures,
    seed: opts.seed,
    minutes: opts.minutes,
    guests: opts.guests,
    operations: count(false),
    consoleOperations: count(true),
    byKind: dispatch.byKind,
    inFlightShare: dispatch.inFlightMs.map((ms) => ms / total),
    serverKills: ctx.server.restarts.length,
    qemuKills: ctx.qemuKills.length,
    killsInside: chaos.inside,
    restartAnsweredMs: ctx.server.restarts.map((r) => r.answeredMs),
    crashShownMs: chaos.crashShownMs,
    markersSynced: [...ctx.world.markers.values()].filter((m) => m.state === 'synced').length,
    violations,
    keptDataDir: kept ? dataDir : undefined,
    elapsedMs: Date.now() - started,
  };
}

/** Powers every VM off (`quit`) and waits until no qemu of the data dir runs. */
async function powerOffAll(ctx: SoakContext): Promise<void> {
  const a = await ctx.server.api('final', 'GET', '/api/vms');
  for (const v of (a.body as { id: string; state: string }[] | undefined) ?? []) {
    if (!['stopped', 'crashed', 'defined'].includes(v.state))
      await ctx.server.api('final', 'POST', `/api/vms/${v.id}/poweroff`);
  }
  const t0 = Date.now();
  while ((await scanProcesses(ctx.dataDir)).qemu.length > 0) {
    if (Date.now() - t0 > 30_000) {
      const left = (await scanProcesses(ctx.dataDir)).qemu.map((q) => `${q.pid} (VM ${q.vmId})`);
      ctx.violation('poweroff waits', `qemu ${left.join(', ')} still run 30 s after power off at the end`);
      // The checks of the images need them closed.
      await killGuestsOf(ctx.dataDir);
      return;
    }
    await sleep(250);
  }
}
