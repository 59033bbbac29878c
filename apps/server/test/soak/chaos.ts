// kill -9 of the server and of qemu at seeded moments, most of them landing inside an operation (a start, a
// convert, a snapshot, a revert, an unplug...), and what must hold right after: every live guest re-adopted
// with the same pid and in the state it was in; a killed qemu shown crashed within moments.
import { PROCESS_STATES } from './invariants.ts';
import { sleep, type SoakContext } from './op-kit.ts';
import type { Prng } from './prng.ts';
import { isLive, scanProcesses, type ProcessScan } from './proc-scan.ts';
import type { OpRecord, VmObs } from './world.ts';

export interface ChaosPlan {
  serverKills: number;
  qemuKills: number;
}

/** Operations on a guest a kill may land inside; the server's also on images, qemu's also on the console. */
const GUEST_TARGETS = [
  'start',
  'snapshot',
  'revert',
  'unplug',
  'plug',
  'save',
  'restore',
  'reset',
  'pause',
  'shutdown',
];
const SERVER_TARGETS = [...GUEST_TARGETS, 'convert', 'clone', 'poweroff', 'image-create', 'snapshot-delete'];
const QEMU_TARGETS = [...GUEST_TARGETS, 'resume', 'marker', 'snapshot-delete'];
/** The kinds the issue names: kills inside a convert, a start, an unplug, a live snapshot or a revert. */
const SERVER_PREFERRED = ['start', 'convert', 'snapshot', 'revert', 'unplug'];
const QEMU_PREFERRED = ['start', 'snapshot', 'revert', 'unplug', 'marker'];
/** Operations that may change a VM's run state: a VM with one in flight has no stable state to keep. */
const STATE_CHANGING = [
  'start',
  'shutdown',
  'poweroff',
  'reset',
  'pause',
  'resume',
  'revert',
  'snapshot',
  'save',
  'restore',
  'clone-action',
  'snapshot-delete',
];
const ADOPTION_GRACE_MS = 5000;
const CRASH_SHOWN_MS = 15_000;

export class Chaos {
  readonly crashShownMs: number[] = [];
  readonly inside: string[] = [];

  constructor(
    private readonly ctx: SoakContext,
    private readonly prng: Prng,
    private readonly durationMs: number,
    private readonly plan: ChaosPlan,
  ) {}

  /** Runs the kills at their seeded times until `done()` says the run is over. */
  async run(t0: number, done: () => boolean): Promise<void> {
    const events = [
      ...this.times(this.plan.serverKills).map((at) => ({ at, kind: 'server' as const })),
      ...this.times(this.plan.qemuKills).map((at) => ({ at, kind: 'qemu' as const })),
    ].sort((a, b) => a.at - b.at);
    for (const e of events) {
      while (!done() && Date.now() - t0 < e.at) await sleep(200);
      if (done()) return;
      if (e.kind === 'server') await this.killServer();
      else await this.killQemu();
    }
  }

  private times(n: number): number[] {
    const span = Math.max(1, this.durationMs - 35_000);
    return [...Array(n).keys()].map((i) => 15_000 + (span * (i + 0.5 + (this.prng.next() - 0.5) * 0.7)) / n);
  }

  /**
   * Where the next kill lands: mostly inside a fresh operation of a preferred kind (else of any of `kinds`,
   * waiting up to 20 s), a random moment into it; sometimes at whatever moment comes.
   */
  private async landInside(
    preferred: readonly string[],
    kinds: readonly string[],
    usable: (op: OpRecord) => Promise<boolean>,
  ): Promise<OpRecord | undefined> {
    if (!this.prng.chance(0.8)) return undefined;
    const want = this.prng.pick(preferred);
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000) {
      const wanted = Date.now() - t0 < 12_000 ? [want] : kinds;
      for (const op of [...this.ctx.world.inflight]) {
        if (wanted.includes(op.kind) && Date.now() - op.startedAt < 1000 && (await usable(op))) {
          await sleep(this.prng.int(0, 200));
          return op;
        }
      }
      await sleep(20);
    }
    return undefined;
  }

  private async killServer(): Promise<void> {
    const { world, server, log } = this.ctx;
    const op = await this.landInside(SERVER_PREFERRED, SERVER_TARGETS, () => Promise.resolve(true));
    let before: ProcessScan | undefined;
    const obs = new Map<string, VmObs>();
    const busy = new Set<string>();
    await server.killAndRestart(
      async () => {
        before = await scanProcesses(this.ctx.dataDir);
        for (const [id, o] of world.obs) obs.set(id, { ...o });
        for (const id of obs.keys()) if (world.activeOn(id, STATE_CHANGING, 2000).length > 0) busy.add(id);
        const where = op
          ? `inside #${op.id} ${op.kind}${op.endedAt === undefined ? '' : ' (just ended)'}`
          : 'at a random moment';
        this.inside.push(op ? op.kind : '-');
        log.line(
          `CHAOS kill -9 server ${server.pid()} ${where}; qemu running: ${before.qemu.map((q) => q.pid).join(' ')}`,
        );
      },
      async (timing) => {
        log.line(
          `CHAOS server back: listening after ${timing.listeningMs} ms, answered after ${timing.answeredMs} ms`,
        );
        if (before) await this.checkAdoption(timing.at, before, obs, busy);
      },
    );
  }

  /**
   * After a restart: every qemu that was alive and still is must be the VM's process again (same pid), and a
   * VM that sat still in `running` or `paused` must be so again (a paused guest is not resumed).
   */
  private async checkAdoption(
    killedAt: number,
    before: ProcessScan,
    obs: Map<string, VmObs>,
    busy: Set<string>,
  ): Promise<void> {
    const t0 = Date.now();
    let problems: [string, string][] = [];
    do {
      const a = await this.ctx.server.api('adoption', 'GET', '/api/vms', undefined, { early: true });
      if (a.status !== 200) {
        await sleep(250);
        continue;
      }
      const views = a.body as { id: string; name: string; state: string; pid?: number }[];
      problems = [];
      for (const q of before.qemu) {
        if (!(await isLive(q.pid))) continue;
        const v = views.find((x) => x.id === q.vmId);
        if (!v)
          problems.push([
            `gone:${q.pid}`,
            `re-adoption: qemu ${q.pid} of VM ${q.vmId} runs on, the VM is not listed`,
          ]);
        else if (v.pid !== q.pid || !PROCESS_STATES.includes(v.state))
          problems.push([
            `pid:${q.pid}`,
            `re-adoption: ${v.name}'s qemu ${q.pid} runs on, the API shows ${v.state} pid ${v.pid ?? 'none'}`,
          ]);
        const o = obs.get(q.vmId);
        const stable =
          o &&
          ['running', 'paused'].includes(o.state) &&
          o.pid === q.pid &&
          killedAt - o.since >= 2000 &&
          killedAt - o.at < 2500;
        if (v && o && stable && !busy.has(q.vmId) && v.state !== o.state)
          problems.push([
            `state:${q.pid}:${killedAt}`,
            `re-adoption: ${v.name} sat ${o.state} for ${Math.round((killedAt - o.since) / 1000)} s before the kill, the new server shows ${v.state}`,
          ]);
      }
      if (problems.length === 0) return;
      await sleep(250);
    } while (Date.now() - t0 < ADOPTION_GRACE_MS);
    for (const [key, p] of problems) this.ctx.violation('re-adoption', p, key);
  }

  private async killQemu(): Promise<void> {
    const { world, log } = this.ctx;
    const pidOf = async (vmId: string | undefined) =>
      (await scanProcesses(this.ctx.dataDir)).qemu.find((q) => q.vmId === vmId)?.pid;
    const op = await this.landInside(
      QEMU_PREFERRED,
      QEMU_TARGETS,
      async (o) => (await pidOf(o.vmId)) !== undefined,
    );
    const scan = await scanProcesses(this.ctx.dataDir);
    const guestQemu = scan.qemu.filter((q) => world.guestById(q.vmId) !== undefined);
    const target = op
      ? scan.qemu.find((q) => q.vmId === op.vmId)
      : guestQemu.length > 0
        ? this.prng.pick(guestQemu)
        : undefined;
    if (!target) return log.line('CHAOS no qemu to kill');
    const stateBefore = world.view(target.vmId)?.state;
    const at = Date.now();
    this.ctx.qemuKills.push({ vmId: target.vmId, at });
    this.inside.push(op ? op.kind : '-');
    process.kill(target.pid, 'SIGKILL');
    log.line(
      `CHAOS kill -9 qemu ${target.pid} of ${target.vmId} ${op ? `inside #${op.id} ${op.kind}` : 'at a random moment'}`,
    );
    await this.crashShown(target.vmId, target.pid, at, stateBefore === 'stopping');
  }

  /** The API must stop showing the dead qemu within moments, as crashed (unless a stop was under way). */
  private async crashShown(vmId: string, pid: number, at: number, wasStopping: boolean): Promise<void> {
    const epoch = this.ctx.server.epoch;
    for (;;) {
      const a = await this.ctx.server.api('crash-check', 'GET', `/api/vms/${vmId}`);
      const v = a.body as {
        name: string;
        state: string;
        pid?: number;
        lastExit?: { kind: string; reason: string };
      };
      if (a.status === 200 && !(v.pid === pid && [...PROCESS_STATES, 'starting'].includes(v.state))) {
        const ms = Date.now() - at;
        this.crashShownMs.push(ms);
        this.ctx.log.line(
          `CHAOS ${v.name} shown ${v.state} ${ms} ms after the kill (${v.lastExit?.reason ?? ''})`,
        );
        const stopping =
          this.ctx.world.activeOn(vmId, ['shutdown', 'poweroff', 'save', 'clone-action', 'start'], 1000)
            .length > 0;
        if (v.state !== 'crashed' && !stopping && !wasStopping && v.lastExit?.kind !== 'crashed')
          this.ctx.violation(
            'crash not shown',
            `${v.name}: qemu ${pid} killed from outside, the API shows ${v.state} (${JSON.stringify(v.lastExit)})`,
          );
        return;
      }
      if (Date.now() - at > CRASH_SHOWN_MS || this.ctx.server.epoch !== epoch) {
        if (this.ctx.server.epoch === epoch)
          this.ctx.violation(
            'crash not shown',
            `VM ${vmId}: qemu ${pid} killed ${CRASH_SHOWN_MS} ms ago, still shown ${v.state}`,
          );
        return;
      }
      await sleep(25);
    }
  }
}
