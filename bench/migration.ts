// Benchmark: live migration of a 256 MiB test guest (TCG, a counter running on its serial console) between two
// qemu processes on loopback, through the server's migration engine. Reports total time and downtime (qemu's
// own figures) as median and p90 of several runs, against qemu's default downtime limit (300 ms), and the
// pause the guest sees (qemu's downtime plus starting it on the target). The guest moves back and forth: each
// run's target is the next run's source, so it boots once.
import type { MigrationOptions } from '@virtweb/protocol';
import {
  finishIncoming,
  prepareIncoming,
  runLiveMigration,
} from '../apps/server/src/engine/qemu-direct/migration/index.ts';
import { QEMU_DEFAULT_DOWNTIME_LIMIT_MS } from '../apps/server/src/engine/qemu-direct/migration/capabilities.ts';
import { GuestLab, type LabGuest } from '../apps/server/test/migration-guests.ts';

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
  /** From `migrate` until the guest runs on the target. */
  pauseMs: number;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

/** Moves the guest of `source` into a fresh qemu; returns the new home and the figures. */
async function migrateOnce(
  lab: GuestLab,
  source: LabGuest,
  n: number,
  options: MigrationOptions,
): Promise<{ target: LabGuest; run: Run }> {
  const target = await lab.start({ name: `bench-${n}`, memoryMiB: MEMORY_MIB, incoming: true });
  const endpoint = await prepareIncoming(target.proc.qmp, { listenHost: '127.0.0.1', capabilities: options });
  const result = await runLiveMigration(source.proc.qmp, { uri: endpoint.uri, options });
  const t0 = Date.now();
  await finishIncoming(target.proc.qmp);
  const startMs = Date.now() - t0;
  const last = source.serial.lastTick();
  await target.serial.tickAbove(last, 30_000);
  await source.proc.stop({ from: 'quit' });
  return {
    target,
    run: { totalMs: result.totalTimeMs, downtimeMs: result.downtimeMs, pauseMs: result.downtimeMs + startMs },
  };
}

function report(label: string, runs: Run[]): void {
  const pick = (f: (r: Run) => number) => runs.map(f);
  const med = (f: (r: Run) => number) => quantile(pick(f), 0.5);
  const p90 = (f: (r: Run) => number) => quantile(pick(f), 0.9);
  const ratio = med((r) => r.downtimeMs) / QEMU_DEFAULT_DOWNTIME_LIMIT_MS;
  console.log(`  ${label} (${runs.length} runs)`);
  console.log(`    total time   median ${med((r) => r.totalMs)} ms, p90 ${p90((r) => r.totalMs)} ms`);
  console.log(
    `    downtime     median ${med((r) => r.downtimeMs)} ms, p90 ${p90((r) => r.downtimeMs)} ms` +
      ` = ${ratio.toFixed(2)} x the default limit (${QEMU_DEFAULT_DOWNTIME_LIMIT_MS} ms)`,
  );
  console.log(`    guest pause  median ${med((r) => r.pauseMs)} ms (downtime + starting it on the target)`);
  console.log(`    runs: ${runs.map((r) => `${r.totalMs}/${r.downtimeMs}`).join(', ')} (total/downtime ms)`);
}

export async function migrationBench(): Promise<void> {
  const lab = new GuestLab();
  try {
    let guest = await lab.startCounting({ name: 'bench-0', memoryMiB: MEMORY_MIB });
    let n = 0;
    const variants: [string, MigrationOptions, number][] = [
      ['defaults (128 MiB/s, 300 ms limit)', PLAIN, RUNS],
      ['multifd, 2 channels', { ...PLAIN, multifd: true }, VARIANT_RUNS],
      ['xbzrle', { ...PLAIN, xbzrle: true }, VARIANT_RUNS],
      ['zstd (multifd)', { ...PLAIN, compress: 'zstd' }, VARIANT_RUNS],
    ];
    console.log(
      `\nlive migration, ${MEMORY_MIB} MiB TCG test guest with a counter on its console, two qemu on loopback`,
    );
    for (const [label, options, count] of variants) {
      const runs: Run[] = [];
      for (let i = 0; i < count; i++) {
        const moved = await migrateOnce(lab, guest, ++n, options);
        guest = moved.target;
        runs.push(moved.run);
      }
      report(label, runs);
    }
  } finally {
    await lab.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await migrationBench();
