// Copy storage, source side: every disk mirrored into an NBD export on the target while the guest runs on.
import type { QmpClient, QmpEventMessage } from '@virtweb/qmp';
import { MIGRATION_TLS_HOSTNAME, MIGRATION_TLS_ID } from './stream-tls.ts';
import { cancelledError, describeCause, failedError } from './errors.ts';
import { diskCopyProgress, type DiskCopyProgress } from './progress.ts';
import { delay, Ticker } from './ticker.ts';

/** A disk of the guest (its format node, e.g. `disk0`) and the name of its NBD export on the target. */
export interface NbdDisk {
  node: string;
  exportName: string;
}

/** Where the target's NBD server listens (what `startNbdExports` returns) and the disks to copy there. */
export interface MirrorTarget {
  targetHost: string;
  port: number;
  disks: NbdDisk[];
}

export const mirrorJobId = (node: string): string => `migrate-${node}`;
export const nbdClientNode = (node: string): string => `migrate-nbd-${node}`;

type JobEnd = { cancelled: boolean; error: string | undefined };
type JobEvent = QmpEventMessage<'BLOCK_JOB_COMPLETED'> | QmpEventMessage<'BLOCK_JOB_CANCELLED'>;

const QMP_TIMEOUT_MS = 30_000;

/** The running mirror jobs of one migration and the NBD client nodes they write to. */
export class DiskMirrors {
  readonly jobIds: readonly string[];
  readonly #qmp: QmpClient;
  readonly #target: MirrorTarget;
  readonly #nodesAdded: string[] = [];
  readonly #jobsStarted: string[] = [];
  readonly #ended = new Map<string, JobEnd>();
  /** Wakes the poll of {@link waitReady} on job events. */
  #wakePoll: (() => void) | undefined;
  #last: DiskCopyProgress = { copiedBytes: 0, totalBytes: 0 };

  private constructor(
    qmp: QmpClient,
    target: MirrorTarget,
    private readonly encrypted: boolean,
  ) {
    this.#qmp = qmp;
    this.#target = target;
    this.jobIds = target.disks.map((d) => mirrorJobId(d.node));
    qmp.on('BLOCK_JOB_COMPLETED', this.#onJobEnd);
    qmp.on('BLOCK_JOB_CANCELLED', this.#onJobEnd);
    qmp.on('BLOCK_JOB_READY', this.#onReady);
  }

  /**
   * Connects to the target's exports (an `nbd` block node per disk) and starts `blockdev-mirror sync=full`
   * from each disk's node into it. `encrypted`: over TLS, with the stream's client credentials (added first).
   * @throws MigrationError (failed) when a node or job cannot be created; whatever was made is removed.
   */
  static async start(qmp: QmpClient, target: MirrorTarget, encrypted = false): Promise<DiskMirrors> {
    const mirrors = new DiskMirrors(qmp, target, encrypted);
    try {
      await mirrors.#startJobs();
    } catch (err) {
      await mirrors.abort();
      throw failedError('disk copy', describeCause(err), err);
    }
    return mirrors;
  }

  /** The last copy progress seen. */
  get progress(): DiskCopyProgress {
    return this.#last;
  }

  /**
   * Reads the jobs' progress from qemu.
   * @throws MigrationError (failed) when a job has ended or gone (the target's disk or NBD server failed).
   */
  async poll(): Promise<{ disk: DiskCopyProgress; allReady: boolean }> {
    const jobs = await this.#qmp.execute('query-block-jobs', { timeoutMs: QMP_TIMEOUT_MS });
    this.#failIfEnded();
    const ours = this.jobIds.map((id) => jobs.find((j) => j.device === id));
    const missing = this.jobIds.filter((_, i) => ours[i] === undefined);
    if (missing.length > 0) throw failedError('disk copy', `mirror job ${missing.join(', ')} has gone`);
    this.#last = diskCopyProgress(jobs, this.jobIds);
    return { disk: this.#last, allReady: ours.every((j) => j?.ready === true) };
  }

  /**
   * Resolves once every mirror is READY (source and target in sync; guest writes keep being mirrored).
   * @throws MigrationError cancelled when `signal` aborts, failed when a job ends (qemu's `error` as reason).
   */
  async waitReady(opts: {
    signal?: AbortSignal | undefined;
    intervalMs: number;
    onProgress?: (disk: DiskCopyProgress) => void;
  }): Promise<void> {
    const ticker = new Ticker(opts.signal);
    this.#wakePoll = ticker.wake;
    try {
      for (;;) {
        if (opts.signal?.aborted === true) throw cancelledError('migration');
        const { disk, allReady } = await this.poll();
        opts.onProgress?.(disk);
        if (allReady) return;
        await ticker.sleep(opts.intervalMs);
      }
    } finally {
      this.#wakePoll = undefined;
      ticker.dispose();
    }
  }

  /**
   * Ends every mirror without switching the guest over to the target (`block-job-cancel` without `force` on a
   * READY mirror): the target's copy is complete and consistent once the guest no longer writes. Call it when
   * the source guest is paused for good (migration completed, or post-copy started). Removes the NBD nodes.
   * @throws MigrationError (failed) when a job did not end cleanly.
   */
  async finish(timeoutMs = 60_000): Promise<void> {
    try {
      for (const id of this.jobIds) {
        await this.#qmp.execute('block-job-cancel', { device: id }, { timeoutMs: QMP_TIMEOUT_MS });
      }
      await this.#waitGone(timeoutMs);
      const bad = this.jobIds.filter((id) => this.#ended.get(id)?.cancelled !== false);
      const error = this.jobIds.map((id) => this.#ended.get(id)?.error).find((e) => e !== undefined);
      if (error !== undefined || bad.length > 0) {
        throw failedError('disk copy', error ?? `mirror job ${bad.join(', ')} did not complete`);
      }
    } finally {
      await this.#removeNodes();
      this.#dispose();
    }
  }

  /** Best effort, never throws: aborts the jobs still running (`force`) and removes the NBD client nodes. */
  async abort(): Promise<void> {
    const running = this.#jobsStarted.filter((id) => !this.#ended.has(id));
    for (const id of running) {
      await this.#qmp
        .execute('block-job-cancel', { device: id, force: true }, { timeoutMs: QMP_TIMEOUT_MS })
        .catch(() => undefined);
    }
    await this.#waitGone(30_000).catch(() => undefined);
    await this.#removeNodes();
    this.#dispose();
  }

  async #startJobs(): Promise<void> {
    const { targetHost, port } = this.#target;
    for (const disk of this.#target.disks) {
      const node = nbdClientNode(disk.node);
      await this.#qmp.execute('blockdev-add', {
        driver: 'nbd',
        'node-name': node,
        server: { type: 'inet', host: targetHost, port: String(port) },
        export: disk.exportName,
        ...(this.encrypted ? { 'tls-creds': MIGRATION_TLS_ID, 'tls-hostname': MIGRATION_TLS_HOSTNAME } : {}),
      });
      this.#nodesAdded.push(node);
      const job = mirrorJobId(disk.node);
      await this.#qmp.execute('blockdev-mirror', {
        'job-id': job,
        device: disk.node,
        target: node,
        sync: 'full',
        'on-source-error': 'report',
        'on-target-error': 'report',
      });
      this.#jobsStarted.push(job);
    }
  }

  readonly #onJobEnd = (e: JobEvent): void => {
    if (!this.jobIds.includes(e.data.device)) return;
    const error = e.event === 'BLOCK_JOB_COMPLETED' ? e.data.error : undefined;
    this.#ended.set(e.data.device, { cancelled: e.event === 'BLOCK_JOB_CANCELLED', error });
    this.#wakePoll?.();
  };

  readonly #onReady = (): void => this.#wakePoll?.();

  #failIfEnded(): void {
    for (const id of this.jobIds) {
      const end = this.#ended.get(id);
      if (!end) continue;
      const why = end.error ?? (end.cancelled ? 'cancelled by qemu' : 'ended early');
      throw failedError('disk copy', `mirror ${id}: ${why}`);
    }
  }

  /** Waits until no job of ours is listed by qemu any more. */
  async #waitGone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const jobs = await this.#qmp.execute('query-block-jobs', { timeoutMs: QMP_TIMEOUT_MS });
      if (!jobs.some((j) => this.#jobsStarted.includes(j.device))) return;
      if (Date.now() > deadline) throw failedError('disk copy', 'mirror jobs did not end in time');
      await delay(100);
    }
  }

  async #removeNodes(): Promise<void> {
    for (const node of this.#nodesAdded.splice(0)) {
      await this.#qmp
        .execute('blockdev-del', { 'node-name': node }, { timeoutMs: QMP_TIMEOUT_MS })
        .catch(() => undefined);
    }
  }

  #dispose(): void {
    this.#qmp.off('BLOCK_JOB_COMPLETED', this.#onJobEnd);
    this.#qmp.off('BLOCK_JOB_CANCELLED', this.#onJobEnd);
    this.#qmp.off('BLOCK_JOB_READY', this.#onReady);
  }
}
