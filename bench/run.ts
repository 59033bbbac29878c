import { browsersBench } from './browsers.ts';
import { guestsBench } from './guests.ts';
import { guestsListRenderBench } from './guests-list-render.ts';
import { keysBench } from './keys.ts';
import { migrationBench } from './migration.ts';
import { samplerCostBench } from './sampler-cost.ts';
import { startBench } from './start.ts';
import { testGuestBootBench } from './test-guest-boot.ts';
import { vncTransportBench } from './vnc/transport-bench.ts';

// `npm run bench`: one command, one table per benchmark. Each benchmark starts and stops what it needs.
// `npm run bench -- vnc migration` runs only the named ones; `--json <file>` and `--compare <old.json>` go to
// the benches that write results (bench/lib/results.ts).
const benches: Record<string, () => Promise<unknown>> = {
  vnc: vncTransportBench,
  sampler: samplerCostBench,
  migration: migrationBench,
  // Needs the built web app (npm run build, which scripts/setup runs).
  'guests-list': guestsListRenderBench,
  start: startBench,
  guests: guestsBench,
  browsers: browsersBench,
  keys: keysBench,
  'test-guest': testGuestBootBench,
};

const args = process.argv.slice(2);
// Flags and their values are not bench names.
const wanted = args.filter(
  (a, i) => !a.startsWith('--') && !['--json', '--compare'].includes(args[i - 1] ?? ''),
);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(' ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
