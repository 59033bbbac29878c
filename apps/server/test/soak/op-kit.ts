// What every soak operation gets: the world, the server, the log, the seeded generator, and a way to report
// a violation; and how an operation is described (its weight in the current world, and its run).
import type { OpLog } from './op-log.ts';
import type { Prng } from './prng.ts';
import type { Answer, SoakServer } from './soak-server.ts';
import type { Guest, OpRecord, VmView, World } from './world.ts';

export interface SoakContext {
  readonly world: World;
  readonly server: SoakServer;
  readonly log: OpLog;
  /** Decides which operations run, on what, and their arguments. */
  readonly prng: Prng;
  readonly seed: number;
  readonly dataDir: string;
  /** The soak's own kill -9s of qemu: which VM, when (an operation cut off by one has no certain outcome). */
  readonly qemuKills: { vmId: string; at: number }[];
  /** Records a violation; one with a `key` already reported is not repeated. */
  violation(kind: string, text: string, key?: string): void;
  nextMarker(): number;
}

/** One running operation: its requests are logged under its number and label. */
export class OpRun {
  constructor(
    readonly ctx: SoakContext,
    readonly rec: OpRecord,
    readonly label: string,
    /** The generator of this operation's lane (API operations, or guest consoles). */
    readonly prng: Prng,
  ) {}

  api(method: string, urlPath: string, body?: unknown): Promise<Answer> {
    return this.ctx.server.api(`#${this.rec.id} ${this.label}`, method, urlPath, body);
  }

  note(text: string): void {
    this.ctx.log.line(`#${this.rec.id} ${this.label} ${text.replace(/\r?\n/g, ' | ')}`);
  }

  get world(): World {
    return this.ctx.world;
  }

  /** True when the soak killed this VM's qemu, or the server, while this operation ran. */
  cutOff(vmId: string | undefined): boolean {
    const from = this.rec.startedAt;
    if (this.ctx.server.epoch !== this.rec.epoch) return true;
    return this.ctx.qemuKills.some((k) => k.vmId === vmId && k.at >= from);
  }
}

/** An answer that says nothing certain about the outcome: none (server killed) or a 5xx (already a violation). */
export const unknownOutcome = (a: Answer): boolean => a.status === 0 || a.status >= 500;
export const ok = (a: Answer): boolean => a.status >= 200 && a.status < 300;

export interface OpSpec {
  kind: string;
  /** `guest`: runs on one of the soak's guests; `global`: images, clones. */
  scope: 'guest' | 'global';
  /** How likely now (0: not now). `view` is the guest's last listing. */
  weight(ctx: SoakContext, guest: Guest | undefined, view: VmView | undefined): number;
  run(run: OpRun, guest: Guest | undefined): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The VM as the server says now (undefined when the request failed). */
export async function getVm(run: OpRun, id: string): Promise<VmView | undefined> {
  const a = await run.api('GET', `/api/vms/${id}`);
  return a.status === 200 ? (a.body as VmView) : undefined;
}
