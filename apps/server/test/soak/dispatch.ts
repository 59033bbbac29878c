// Starts the operations: an API lane keeping 1-4 requests in flight (2-4 most of the time), sometimes two
// racing on one guest, and a console lane writing and reading markers inside the running guests.
import { OpRun, sleep, type OpSpec, type SoakContext } from './op-kit.ts';
import { GUEST_OPS } from './ops-guest.ts';
import { IMAGE_OPS } from './ops-images.ts';
import { LIFECYCLE_OPS } from './ops-lifecycle.ts';
import { STORAGE_OPS } from './ops-storage.ts';
import type { Prng } from './prng.ts';
import type { Guest } from './world.ts';

const API_OPS: OpSpec[] = [...LIFECYCLE_OPS, ...STORAGE_OPS, ...IMAGE_OPS];
/** Pairs sent at once to one guest: the races the issue found (start vs detach, revert vs unplug, ...). */
const RACES: [string, string][] = [
  ['start', 'unplug'],
  ['start', 'plug'],
  ['revert', 'unplug'],
  ['snapshot', 'unplug'],
  ['shutdown', 'poweroff'],
  ['pause', 'reset'],
  ['reset', 'snapshot'],
  ['start', 'settings'],
  ['delete-in-use', 'unplug'],
  ['poweroff', 'revert'],
  ['unplug', 'plug'],
  ['shutdown', 'snapshot'],
  ['pause', 'shutdown'],
];

export class Dispatcher {
  readonly byKind: Record<string, number> = {};
  /** Milliseconds spent with 0, 1, 2, 3, 4+ API operations in flight. */
  readonly inFlightMs = [0, 0, 0, 0, 0];
  private readonly api = new Set<Promise<void>>();
  private readonly console = new Set<Promise<void>>();
  private readonly consoleBusy = new Set<Guest>();

  constructor(
    private readonly ctx: SoakContext,
    private readonly consolePrng: Prng,
  ) {}

  get running(): number {
    return this.api.size + this.console.size;
  }

  /** Resolves when every operation started so far has ended. */
  async drained(): Promise<void> {
    while (this.running > 0) await Promise.all([...this.api, ...this.console]);
  }

  async apiLane(over: () => boolean): Promise<void> {
    const { prng, world } = this.ctx;
    let target = 2;
    let retargetAt = 0;
    let sampledAt = Date.now();
    while (!over()) {
      const now = Date.now();
      this.inFlightMs[Math.min(4, this.api.size)] =
        (this.inFlightMs[Math.min(4, this.api.size)] ?? 0) + now - sampledAt;
      sampledAt = now;
      if (now > retargetAt) {
        target =
          prng.weighted([
            [1, 1],
            [2, 3],
            [3, 3],
            [4, 2],
          ] as const) ?? 2;
        retargetAt = now + prng.int(8000, 15_000);
      }
      if (this.api.size >= target) {
        await sleep(50);
        continue;
      }
      const guest = prng.pick(world.guests);
      const view = world.view(guest.id);
      if (prng.chance(0.12)) {
        for (const kind of prng.pick(RACES)) {
          const spec = API_OPS.find((o) => o.kind === kind);
          if (spec && spec.weight(this.ctx, guest, view) > 0) this.launch(this.api, spec, guest, prng);
          await sleep(prng.int(0, 120));
        }
      } else {
        const scope = prng.chance(0.8) ? 'guest' : 'global';
        const g = scope === 'guest' ? guest : undefined;
        const ops = API_OPS.filter((o) => o.scope === scope);
        const spec = prng.weighted(ops.map((o) => [o, o.weight(this.ctx, g, view)] as const));
        if (spec) this.launch(this.api, spec, g, prng);
      }
      await sleep(prng.int(20, 400));
    }
  }

  /** Marker writes and reads, one at a time per guest, on guests the API shows running. */
  async consoleLane(over: () => boolean): Promise<void> {
    const prng = this.consolePrng;
    while (!over()) {
      await sleep(prng.int(200, 1500));
      const idle = this.ctx.world.guests.filter((g) => !this.consoleBusy.has(g));
      if (idle.length === 0) continue;
      const guest = prng.pick(idle);
      const view = this.ctx.world.view(guest.id);
      const spec = prng.weighted(GUEST_OPS.map((o) => [o, o.weight(this.ctx, guest, view)] as const));
      if (!spec) continue;
      this.consoleBusy.add(guest);
      this.launch(this.console, spec, guest, prng, () => this.consoleBusy.delete(guest));
    }
  }

  private launch(
    lane: Set<Promise<void>>,
    spec: OpSpec,
    guest: Guest | undefined,
    prng: Prng,
    done?: () => void,
  ): void {
    const { world, server } = this.ctx;
    const rec = world.begin(spec.kind, server.epoch, guest?.id);
    this.byKind[spec.kind] = (this.byKind[spec.kind] ?? 0) + 1;
    const label = `${spec.kind}${guest ? ` ${guest.name}` : ''}`;
    const p: Promise<void> = spec
      .run(new OpRun(this.ctx, rec, label, prng), guest)
      .catch((err: unknown) =>
        this.ctx.violation(
          'harness',
          `#${rec.id} ${label} threw ${err instanceof Error ? err.stack : String(err)}`,
        ),
      )
      .finally(() => {
        world.end(rec);
        lane.delete(p);
        done?.();
      });
    lane.add(p);
  }
}
