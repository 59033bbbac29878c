// Migration, save and restore jobs: in memory, one per VM at a time, published as `migration.updated`.
import crypto from 'node:crypto';
import {
  ErrorCode,
  type MigrationCheck,
  type MigrationJob,
  type MigrationPhase,
  type MigrationProgress,
} from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import { Conflict, NotFound } from '../domain/errors.ts';

/** Finished jobs are listed for this long. */
export const KEEP_FINISHED_MS = 60 * 60 * 1000;
/** At most one `migration.updated` per job in this time while it runs (the end is always sent at once). */
export const PUBLISH_INTERVAL_MS = 500;

const ENDED: readonly MigrationPhase[] = ['completed', 'failed', 'cancelled'];
/** Past these phases a cancel cannot undo anything: the guest is being started on the target. */
const TOO_LATE: readonly MigrationPhase[] = ['postcopy', 'switching'];

export type JobKind = MigrationJob['kind'];

export interface JobEnd {
  phase: 'completed' | 'failed' | 'cancelled';
  error?: string;
  totalTimeMs?: number;
  downtimeMs?: number;
  targetVmId?: string;
}

/** One running (or finished) job: what the runner updates; every change goes out as an event, throttled. */
export class JobHandle {
  readonly controller = new AbortController();
  /** Why the job was aborted when it was not the user's cancel (e.g. "the target server stopped answering"). */
  abortReason: string | undefined;
  #lastPublish = 0;
  #timer: NodeJS.Timeout | undefined;
  #endedAt = 0;

  constructor(
    readonly job: MigrationJob,
    private readonly bus: EventBus,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return ENDED.includes(this.job.phase);
  }

  get endedAtMs(): number {
    return this.#endedAt;
  }

  setPhase(phase: MigrationPhase): void {
    if (this.ended || this.job.phase === phase) return;
    this.job.phase = phase;
    this.publish();
  }

  progress(progress: MigrationProgress, phase?: MigrationPhase): void {
    if (this.ended) return;
    this.job.progress = progress;
    if (phase !== undefined) this.job.phase = phase;
    this.publish();
  }

  note(text: string): void {
    this.job.notes = [...(this.job.notes ?? []), text];
    this.publish();
  }

  /** Aborts the runner; `reason` makes it a failure with those words instead of a cancel. */
  abort(reason?: string): void {
    if (this.controller.signal.aborted) return;
    this.abortReason = reason;
    this.controller.abort();
  }

  finish(end: JobEnd): void {
    if (this.ended) return;
    Object.assign(this.job, end, { endedAt: new Date().toISOString() });
    this.#endedAt = Date.now();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#send();
  }

  /** Sends now if the last event is older than the interval, else once the interval has passed. */
  private publish(): void {
    const wait = this.#lastPublish + PUBLISH_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.#send();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, wait);
  }

  #send(): void {
    this.#lastPublish = Date.now();
    this.bus.publish({ type: 'migration.updated', job: structuredClone(this.job) });
  }
}

/** The registry: who runs, what ended in the last hour. */
export class MigrationJobs {
  readonly #jobs = new Map<string, JobHandle>();

  constructor(private readonly bus: EventBus) {}

  /**
   * Registers a new job in phase `checking` and publishes it.
   * @throws Conflict `busy` while another job runs for the same VM
   */
  start(init: {
    vmId: string;
    vmName: string;
    kind: JobKind;
    target: string;
    targetName: string;
    checks?: MigrationCheck[];
  }): JobHandle {
    const running = this.activeFor(init.vmId);
    if (running) {
      throw new Conflict('busy', `VM ${init.vmName} is busy: a ${running.job.kind} job is in progress`);
    }
    const handle = new JobHandle(
      {
        id: crypto.randomBytes(6).toString('hex'),
        ...init,
        phase: 'checking',
        checks: init.checks ?? [],
        startedAt: new Date().toISOString(),
      },
      this.bus,
    );
    this.#jobs.set(handle.job.id, handle);
    this.bus.publish({ type: 'migration.updated', job: structuredClone(handle.job) });
    return handle;
  }

  /** Running jobs and those that ended within the last hour, newest first. */
  list(): MigrationJob[] {
    this.prune();
    return [...this.#jobs.values()]
      .map((h) => structuredClone(h.job))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** @throws NotFound */
  get(id: string): JobHandle {
    const handle = this.#jobs.get(id);
    if (!handle) throw new NotFound(`migration job ${id}`);
    return handle;
  }

  activeFor(vmId: string): JobHandle | undefined {
    return [...this.#jobs.values()].find((h) => h.job.vmId === vmId && !h.ended);
  }

  /** Any running job whose target is `target` (a saved state's name). */
  activeOn(target: string): JobHandle | undefined {
    return [...this.#jobs.values()].find((h) => h.job.target === target && !h.ended);
  }

  /**
   * Asks a running job to stop; it ends `cancelled` once the source runs as before.
   * @throws NotFound, Conflict `wrong_state` when it has ended or is past the point of no return
   */
  cancel(id: string): MigrationJob {
    const handle = this.get(id);
    if (handle.ended) throw new Conflict(ErrorCode.wrongState, `the job has ended (${handle.job.phase})`);
    if (TOO_LATE.includes(handle.job.phase)) {
      throw new Conflict(
        ErrorCode.wrongState,
        'too late to cancel: the guest is being started on the target (the source stays paused until then)',
      );
    }
    handle.abort();
    return structuredClone(handle.job);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, h] of this.#jobs) {
      if (h.ended && now - h.endedAtMs > KEEP_FINISHED_MS) this.#jobs.delete(id);
    }
  }
}
