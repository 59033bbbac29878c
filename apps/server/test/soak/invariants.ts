// The invariants checked all along: the API's states agree with the processes, no orphan qemu or helper,
// nothing lost that was not deleted, no image a qemu holds open that the API calls unused or let be deleted.
import type { SoakContext } from './op-kit.ts';
import { Persist } from './persist.ts';
import { scanProcesses, type ProcessScan } from './proc-scan.ts';
import type { VmView } from './world.ts';

/** States in which a qemu process must exist, and the API must say which. */
export const PROCESS_STATES = ['running', 'paused', 'stopping', 'migrating'];
const NO_PROCESS_STATES = ['stopped', 'crashed', 'defined'];
/** A mismatch must last this long to count (a transition seen half-way does not). */
const HOLD_MS = 6000;
/** Longest a VM may stay in a passing state. */
const STUCK_MS: Record<string, number> = { starting: 90_000, stopping: 75_000, migrating: 200_000 };
const IMAGES_EVERY = 5;

interface ImageView {
  name: string;
  usedBy: string[];
  backingChain?: { name?: string }[];
}

export class Invariants {
  private readonly vmPersist = new Persist();
  private readonly imagePersist = new Persist();
  private ticks = 0;
  private epoch = 0;

  constructor(private readonly ctx: SoakContext) {}

  /** One pass: the VM list against /proc (and every few passes the images); violations when they persist. */
  async tick(): Promise<void> {
    const { server, world } = this.ctx;
    if (!server.aliveOrKilled()) {
      this.ctx.violation('server died', `the server process ${server.pid()} exited on its own`);
      // Go on (with --keep-going) on a new one.
      await server.killAndRestart(
        () => Promise.resolve(),
        () => Promise.resolve(),
      );
    }
    const a = await server.api('poll', 'GET', '/api/vms');
    if (a.status !== 200) return;
    if (a.epoch !== this.epoch) {
      // A restart: its own checks (re-adoption) ran; transitions seen before it mean nothing now.
      this.epoch = a.epoch;
      this.vmPersist.reset();
      this.imagePersist.reset();
    }
    const views = a.body as VmView[];
    const scan = await scanProcesses(this.ctx.dataDir);
    world.views = views;
    this.observe(views, scan.at);
    const found = new Map<string, string>();
    this.vmChecks(views, scan, found);
    for (const [, text] of this.vmPersist.pass(found, HOLD_MS)) this.ctx.violation(kindOf(text), text);
    if (++this.ticks % IMAGES_EVERY === 0) await this.imageChecks(views, scan);
  }

  private observe(views: VmView[], at: number): void {
    for (const v of views) {
      const before = this.ctx.world.obs.get(v.id);
      const same = before?.state === v.state && before.pid === v.pid;
      this.ctx.world.obs.set(v.id, { state: v.state, pid: v.pid, since: same ? before.since : at, at });
    }
  }

  private vmChecks(views: VmView[], scan: ProcessScan, found: Map<string, string>): void {
    const { world } = this.ctx;
    const now = Date.now();
    for (const v of views) {
      const procs = scan.qemu.filter((q) => q.vmId === v.id).map((q) => q.pid);
      const name = `${v.name} (${v.id})`;
      if (PROCESS_STATES.includes(v.state) || v.state === 'starting') {
        if (v.pid === undefined && v.state !== 'starting')
          found.set(
            `nopid:${v.id}:${v.state}`,
            `state/process: ${name} is ${v.state} but the API shows no pid`,
          );
        if (v.pid !== undefined && !procs.includes(v.pid))
          found.set(
            `dead:${v.id}:${v.pid}`,
            `state/process: ${name} is ${v.state} with pid ${v.pid}, not a live qemu`,
          );
        if (procs.length > 1)
          found.set(`two:${v.id}`, `orphan qemu: ${name} has qemu ${procs.join(' and ')}`);
      }
      const qemu = scan.qemu.find((q) => q.pid === v.pid);
      if (qemu && ['running', 'paused'].includes(v.state)) {
        const missing = v.disks.filter((d) => !qemu.openImages.includes(d.image)).map((d) => d.image);
        if (missing.length > 0)
          found.set(
            `disks:${v.id}:${v.pid}:${missing.join()}`,
            `disks/process: ${name} lists disk ${missing.join(', ')}, which its qemu ${qemu.pid} does not have open`,
          );
      }
      if (NO_PROCESS_STATES.includes(v.state) && procs.length > 0)
        found.set(
          `ghost:${v.id}:${procs.join()}`,
          `orphan qemu: ${name} is ${v.state} but qemu ${procs.join()} runs`,
        );
      const limit = STUCK_MS[v.state];
      const since = world.obs.get(v.id)?.since ?? now;
      if (limit !== undefined && now - since > limit)
        found.set(
          `stuck:${v.id}:${v.state}`,
          `stuck: ${name} has been ${v.state} for ${Math.round((now - since) / 1000)} s`,
        );
      const guest = world.guestById(v.id);
      for (const d of v.disks) {
        const disk = guest?.disks.find((x) => x.image === d.image);
        if (disk && disk.slot !== d.index)
          found.set(
            `slot:${v.id}:${d.image}`,
            `harness: ${d.image} is in slot ${d.index}, the soak expects ${disk.slot}`,
          );
      }
    }
    for (const q of scan.qemu) {
      if (!views.some((v) => v.id === q.vmId))
        found.set(
          `orphan:${q.pid}`,
          `orphan qemu: qemu ${q.pid} runs for VM ${q.vmId}, which the API does not list`,
        );
      for (const image of q.deletedImages)
        found.set(
          `deleted-open:${q.pid}:${image}`,
          `in-use image deleted: qemu ${q.pid} (VM ${q.vmId}) holds ${image}, deleted`,
        );
    }
    const serverPid = this.ctx.server.pid();
    const helperPids = new Set(scan.helpers.map((h) => h.pid));
    for (const h of scan.helpers) {
      if (h.ppid !== serverPid && h.ppid !== process.pid && !helperPids.has(h.ppid))
        found.set(
          `stray:${h.pid}`,
          `orphan process: ${h.command.slice(0, 200)} (pid ${h.pid}, parent ${h.ppid})`,
        );
    }
    for (const [id, vm] of world.vms) {
      const deleting = world.activeOn(id, ['clone-action']).length > 0;
      if (vm.existence === 'exists' && !deleting && !views.some((v) => v.id === id))
        found.set(`vm-lost:${id}`, `lost: VM ${vm.name} (${id}) is no longer listed and was never deleted`);
    }
  }

  private async imageChecks(views: VmView[], scan: ProcessScan): Promise<void> {
    const { world } = this.ctx;
    const a = await this.ctx.server.api('poll', 'GET', '/api/images');
    if (a.status !== 200 || a.epoch !== this.epoch) return;
    const images = a.body as ImageView[];
    const found = new Map<string, string>();
    for (const [name, existence] of world.images) {
      const busy = world.activeOnImage(name).length > 0;
      if (existence === 'exists' && !busy && !images.some((i) => i.name === name))
        found.set(`image-lost:${name}`, `lost: image ${name} is no longer listed and was never deleted`);
    }
    for (const q of scan.qemu) {
      if (!views.some((v) => v.id === q.vmId)) continue;
      const mine = images.filter((i) => i.usedBy.includes(q.vmId));
      const backing = new Set(mine.flatMap((i) => (i.backingChain ?? []).map((b) => b.name ?? '')));
      for (const name of q.openImages) {
        if (mine.some((i) => i.name === name) || backing.has(name)) continue;
        found.set(
          `usedby:${q.vmId}:${name}`,
          `usedBy: qemu ${q.pid} of VM ${q.vmId} holds ${name} open, but the image's usedBy does not name the VM ` +
            `(${JSON.stringify(images.find((i) => i.name === name)?.usedBy ?? 'not listed')}): it could be deleted`,
        );
      }
    }
    for (const [, text] of this.imagePersist.pass(found, HOLD_MS, 2)) this.ctx.violation(kindOf(text), text);
  }
}

/** The violation kind is the text's first words, up to the colon. */
function kindOf(text: string): string {
  return text.slice(0, Math.max(0, text.indexOf(':')));
}
