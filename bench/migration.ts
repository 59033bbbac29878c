// Benchmark: live migration of a 256 MiB test guest (TCG, a counter running on its serial console) between two
// qemu processes on loopback, through the server's migration engine. Reports total time and downtime (qemu's
// own figures) as median and p90 of several runs, against qemu's default downtime limit (300 ms), and the
// pause the guest sees (the source's STOP event to the target's RESUME event, by qemu's own timestamps). The
// guest moves back and forth: each run's target is the next run's source, so it boots once.
// The first variant alternates with `bare`: the same guest and settings driven by QMP alone (bench/lib/
// bare-migration.ts), so that virtweb's total and downtime are given as ratios against it.
import type { MigrationOptions } from '@virtweb/protocol';
import {
  finishIncoming,
  prepareIncoming,
  runLiveMigration,
} from '../apps/server/src/engine/qemu-direct/migration/index.ts';
import { QEMU_DEFAULT_DOWNTIME_LIMIT_MS } from '../apps/server/src/engine/qemu-direct/migration/capabilities.ts';
import type { QmpClient, QmpEventMessage } from '@virtweb/qmp';
import { GuestLab, type LabGuest } from '../apps/server/test/migration-guests.ts';
import { bareMigrate } from './lib/bare-migration.ts';
import { saveResult, type Figures } from './lib/results.ts';
import { median, quantile } from './lib/stats.ts';

const MEMORY_MIB = Number(process.env.BENCH_MIGRATION_MIB ?? 256);
const RUNS = Number(process.env.BENCH_MIGRATION_RUNS ?? 5);
const VARIANT_RUNS = Number(process.env.BENCH_MIGRATION_VARIANT_RUNS ?? 3);

const PLAIN: MigrationOptions = {
  autoConverge: false,
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compress: 'none',
  plainStream: false,
};

interface Run {
  totalMs: number;
  downtimeMs: number;
  /** The source's STOP to the target's RESUME (qemu's event timestamps): what the guest sees. */
  pauseMs: number;
}

const eventMs = (e: QmpEventMessage): number => e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000;
const nextEvent = (qmp: QmpClient, name: 'STOP' | 'RESUME'): Promise<number> =>
  new Promise((resolve) => qmp.once(name, (e) => resolve(eventMs(e))));

/** Moves the guest of `source` into a fresh qemu; returns the new home and the figures. */
async function migrateOnce(
  lab: GuestLab,
  source: LabGuest,
  n: number,
  options: MigrationOptions,
  bare = false,
): Promise<{ target: LabGuest; run: Run }> {
  const target = await lab.start({ name: `bench-${n}`, memoryMiB: MEMORY_MIB, incoming: true });
  const stopped = nextEvent(source.proc.qmp, 'STOP');
  const resumed = nextEvent(target.proc.qmp, 'RESUME');
  let figures: { totalMs: number; downtimeMs: number };
  if (bare) figures = await bareMigrate(source.proc.qmp, target.proc.qmp, options);
  else {
    const endpoint = await prepareIncoming(target.proc.qmp, {
      listenHost: '127.0.0.1',
      capabilities: options,
    });
    const result = await runLiveMigration(source.proc.qmp, { uri: endpoint.uri, options });
    await finishIncoming(target.proc.qmp);
    figures = { totalMs: result.totalTimeMs, downtimeMs: result.downtimeMs };
  }
  const pauseMs = (await resumed) - (await stopped);
  const last = source.serial.lastTick();
  await target.serial.tickAbove(last, 30_000);
  await source.proc.stop({ from: 'quit' });
  return { target, run: { ...figures, pauseMs } };
}

function report(label: string, runs: Run[]): void {
  const pick = (f: (r: Run) => number) => runs.map(f);
  const med = (f: (r: Run) => number) => median(pick(f));
  const p90 = (f: (r: Run) => number) => quantile(pick(f), 0.9);
  const ratio = med((r) => r.downtimeMs) / QEMU_DEFAULT_DOWNTIME_LIMIT_MS;
  console.log(`  ${label} (${runs.length} runs)`);
  console.log(`    total time   median ${med((r) => r.totalMs)} ms, p90 ${p90((r) => r.totalMs)} ms`);
  console.log(
    `    downtime     median ${med((r) => r.downtimeMs)} ms, p90 ${p90((r) => r.downtimeMs)} ms` +
      ` = ${ratio.toFixed(2)} x the default limit (${QEMU_DEFAULT_DOWNTIME_LIMIT_MS} ms)`,
  );
  console.log(
    `    guest pause  median ${med((r) => r.pauseMs).toFixed(1)} ms (source STOP -> target RESUME, qemu's timestamps)`,
  );
  console.log(`    runs: ${runs.map((r) => `${r.totalMs}/${r.downtimeMs}`).join(', ')} (total/downtime ms)`);
}

export async function migrationBench(): Promise<void> {
  const lab = new GuestLab();
  try {
    let guest = await lab.startCounting({ name: 'bench-0', memoryMiB: MEMORY_MIB });
    let n = 0;
    const move = async (options: MigrationOptions, bare = false): Promise<Run> => {
      const moved = await migrateOnce(lab, guest, ++n, options, bare);
      guest = moved.target;
      return moved.run;
    };
    console.log(
      `\nlive migration, ${MEMORY_MIB} MiB TCG test guest with a counter on its console, two qemu on loopback`,
    );
    const virtweb: Run[] = [];
    const bare: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      virtweb.push(await move(PLAIN));
      bare.push(await move(PLAIN, true));
    }
    report('virtweb engine, defaults (128 MiB/s, 300 ms limit)', virtweb);
    report('bare qemu, same settings, QMP only (events, no polling)', bare);
    const figures = compareBare(virtweb, bare);
    const variants: [string, string, MigrationOptions][] = [
      ['multifd', 'multifd, 2 channels', { ...PLAIN, multifd: true }],
      ['xbzrle', 'xbzrle', { ...PLAIN, xbzrle: true }],
      ['zstd', 'zstd (multifd)', { ...PLAIN, compress: 'zstd' }],
    ];
    for (const [key, label, options] of VARIANT_RUNS > 0 ? variants : []) {
      const runs: Run[] = [];
      for (let i = 0; i < VARIANT_RUNS; i++) runs.push(await move(options));
      report(label, runs);
      figures[`${key}.downtime.median`] = median(runs.map((r) => r.downtimeMs));
    }
    saveResult({
      bench: 'migration',
      params: { memoryMiB: MEMORY_MIB, runs: RUNS, variantRuns: VARIANT_RUNS },
      figures,
    });
  } finally {
    await lab.cleanup();
  }
}

/** virtweb against bare: the issue's targets are total <= 1.1x bare, downtime <= 2x bare + 10 ms. */
function compareBare(virtweb: Run[], bare: Run[]): Figures {
  const med = (runs: Run[], f: (r: Run) => number) => median(runs.map(f));
  const f: Figures = {
    'virtweb.total.median': med(virtweb, (r) => r.totalMs),
    'virtweb.downtime.median': med(virtweb, (r) => r.downtimeMs),
    'virtweb.pause.median': med(virtweb, (r) => r.pauseMs),
    'bare.total.median': med(bare, (r) => r.totalMs),
    'bare.downtime.median': med(bare, (r) => r.downtimeMs),
    'bare.pause.median': med(bare, (r) => r.pauseMs),
  };
  const total = (f['virtweb.total.median'] ?? NaN) / (f['bare.total.median'] ?? NaN);
  const down = f['virtweb.downtime.median'] ?? NaN;
  const downBare = f['bare.downtime.median'] ?? NaN;
  const pause = (f['virtweb.pause.median'] ?? NaN) / (f['bare.pause.median'] ?? NaN);
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  console.log('  virtweb / bare (medians):');
  console.log(`    total    ${total.toFixed(2)}x (target <= 1.1x) ${verdict(total <= 1.1)}`);
  console.log(
    `    downtime ${(down / downBare).toFixed(2)}x, ${down} vs ${downBare} ms (target <= 2x + 10 ms = ` +
      `${(2 * downBare + 10).toFixed(0)} ms) ${verdict(down <= 2 * downBare + 10)}`,
  );
  console.log(`    pause    ${pause.toFixed(2)}x (source STOP -> target RESUME)`);
  return { ...f, 'ratio.total': total, 'ratio.downtime': down / downBare, 'ratio.pause': pause };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await migrationBench();
