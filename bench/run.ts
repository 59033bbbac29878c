import { guestsListRenderBench } from './guests-list-render.ts';
import { migrationBench } from './migration.ts';
import { samplerCostBench } from './sampler-cost.ts';
import { vncTransportBench } from './vnc/transport-bench.ts';

// `npm run bench`: one command, one table per benchmark. Each benchmark starts and stops what it needs.
await vncTransportBench();
await samplerCostBench();
await migrationBench();
// Needs the built web app (npm run build, which scripts/setup runs).
await guestsListRenderBench();
