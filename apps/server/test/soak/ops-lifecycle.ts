// Lifecycle operations on the soak's guests: start, shutdown, power off, reset, pause, resume, settings, and
// save/restore of the guest's state. Any answer but a 5xx is accepted; what must hold is checked by the
// invariants, plus one promise of power off: the plug is pulled at once.
import { isLive, scanProcesses } from './proc-scan.ts';
import { getVm, ok, sleep, type OpRun, type OpSpec } from './op-kit.ts';
import type { VmView } from './world.ts';

const STOPPED = ['stopped', 'crashed', 'defined'];
/** qemu must be gone this long after a power off was asked for (`quit`: no guest cooperation needed). */
export const POWEROFF_LIMIT_MS = 25_000;
const JOB_LIMIT_MS = 180_000;

const is = (view: VmView | undefined, ...states: string[]) =>
  view !== undefined && states.includes(view.state);

function action(kind: string, weight: (v: VmView | undefined) => number): OpSpec {
  return {
    kind,
    scope: 'guest',
    weight: (_ctx, _g, view) => weight(view),
    run: async (run, g) => {
      if (!g) return;
      // A reboot: a command typed before it cannot be trusted to have run.
      if (kind === 'reset') g.revertsBegun++;
      await run.api('POST', `/api/vms/${g.id}/${kind}`);
    },
  };
}

/** Power off, and qemu must be gone within {@link POWEROFF_LIMIT_MS} even if a shutdown was pending. */
const poweroff: OpSpec = {
  kind: 'poweroff',
  scope: 'guest',
  weight: (_ctx, _g, v) => (is(v, 'running', 'paused') ? 1.2 : is(v, 'stopping') ? 3 : 0.3),
  run: async (run, g) => {
    if (!g) return;
    // The qemu running now must be gone soon after a power off is accepted (whatever the answer's shape).
    const pid = (await scanProcesses(run.ctx.dataDir)).qemu.find((q) => q.vmId === g.id)?.pid;
    const t0 = Date.now();
    const a = await run.api('POST', `/api/vms/${g.id}/poweroff`);
    if (!ok(a) || pid === undefined) return;
    while (await isLive(pid)) {
      if (run.cutOff(g.id)) return;
      if (Date.now() - t0 > POWEROFF_LIMIT_MS) {
        run.ctx.violation(
          'poweroff waits',
          `${g.name}: power off answered ${a.status} but qemu ${pid} still runs ${POWEROFF_LIMIT_MS} ms later ` +
            `(state ${run.world.view(g.id)?.state ?? '?'})`,
          `poweroff:${pid}`,
        );
        return;
      }
      await sleep(200);
    }
    run.note(`qemu ${pid} gone after ${Date.now() - t0} ms`);
  },
};

/** `PUT /api/vms/:id` with the whole configuration, memory changed (pending while qemu runs). */
const settings: OpSpec = {
  kind: 'settings',
  scope: 'guest',
  weight: () => 1,
  run: async (run, g) => {
    if (!g) return;
    const vm = await getVm(run, g.id);
    if (!vm) return;
    const full = vm as unknown as Record<string, unknown>;
    const keep = ['name', 'os', 'vcpus', 'topology', 'cdrom', 'boot', 'kernel', 'accel', 'nics', 'machine'];
    const body: Record<string, unknown> = Object.fromEntries(
      keep.filter((k) => k in full).map((k) => [k, full[k]]),
    );
    for (const k of ['firmware', 'noKernelIrqchip', 'balloon', 'clock']) if (k in full) body[k] = full[k];
    body.memoryMiB = vm.memoryMiB === 128 ? 144 : 128;
    body.disks = vm.disks.map((d) => ({ image: d.image, bus: d.bus }));
    await run.api('PUT', `/api/vms/${g.id}`, body);
  },
};

/** Waits for a save or restore job to end; its answer is not checked (a failed job must leave things as they were). */
async function waitJob(run: OpRun, jobId: string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < JOB_LIMIT_MS) {
    const a = await run.api('GET', '/api/migrations');
    const job = (a.body as { id: string; phase: string; error?: string }[] | undefined)?.find(
      (j) => j.id === jobId,
    );
    if (a.status === 200 && (!job || ['completed', 'failed', 'cancelled'].includes(job.phase))) {
      run.note(
        `job ${jobId} ${job?.phase ?? 'gone'}${job?.error ? `: ${job.error}` : ''} after ${Date.now() - t0} ms`,
      );
      return;
    }
    if (run.cutOff(undefined)) return;
    await sleep(300);
  }
  run.ctx.violation('job hangs', `job ${jobId} did not end within ${JOB_LIMIT_MS} ms`);
}

const save: OpSpec = {
  kind: 'save',
  scope: 'guest',
  weight: (_ctx, _g, v) => (is(v, 'running') ? 0.5 : 0.05),
  run: async (run, g) => {
    if (!g) return;
    g.revertsBegun++;
    const a = await run.api('POST', `/api/vms/${g.id}/save`, {});
    if (ok(a)) await waitJob(run, (a.body as { id: string }).id);
  },
};

const restore: OpSpec = {
  kind: 'restore',
  scope: 'guest',
  weight: (_ctx, _g, v) => (is(v, ...STOPPED) ? 1.5 : 0.1),
  run: async (run, g) => {
    if (!g) return;
    const list = await run.api('GET', '/api/saved-states');
    const states = ((list.body as { name: string; vmId: string }[] | undefined) ?? []).filter(
      (s) => s.vmId === g.id,
    );
    if (list.status !== 200 || states.length === 0) return;
    const state = run.prng.pick(states);
    if (states.length > 1 && run.prng.chance(0.5)) {
      await run.api('DELETE', `/api/saved-states/${encodeURIComponent(state.name)}`);
      return;
    }
    g.revertsBegun++;
    const a = await run.api('POST', `/api/saved-states/${encodeURIComponent(state.name)}/restore`);
    if (ok(a)) await waitJob(run, (a.body as { id: string }).id);
  },
};

export const LIFECYCLE_OPS: OpSpec[] = [
  action('start', (v) => (is(v, ...STOPPED) ? 10 : 0.5)),
  action('shutdown', (v) => (is(v, 'running') ? 1 : is(v, 'paused') ? 0.6 : 0.3)),
  poweroff,
  action('reset', (v) => (is(v, 'running', 'paused') ? 2 : 0.2)),
  action('pause', (v) => (is(v, 'running') ? 3 : 0.2)),
  action('resume', (v) => (is(v, 'paused') ? 5 : 0.2)),
  settings,
  save,
  restore,
];
