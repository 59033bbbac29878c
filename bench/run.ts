import { guestsListRenderBench } from './guests-list-render.ts';
import { migrationBench } from './migration.ts';
import { samplerCostBench } from './sampler-cost.ts';
import { vncTransportBench } from './vnc/transport-bench.ts';

// `npm run bench`: one command, one table per benchmark. Each benchmark starts and stops what it needs.
// `npm run bench -- vnc migration` runs only the named ones.
const benches: Record<string, () => Promise<unknown>> = {
  vnc: vncTransportBench,
  sampler: samplerCostBench,
  migration: migrationBench,
  // Needs the built web app (npm run build, which scripts/setup runs).
  'guests-list': guestsListRenderBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(' ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
