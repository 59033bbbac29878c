// One supervised qemu process (our child, or adopted after a server restart) and how it ends.
import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import type { QmpClient } from '@virtweb/qmp';
import type { RuntimePaths } from '../spec.ts';
import { classifyExit, type QemuExit, type ShutdownInfo, type StopStep } from './exit.ts';
import { readLogTail } from './log.ts';
import { escalateStop, STOP_STEPS, type StopOptions, type StopTarget } from './stop.ts';
import { settlesWithin } from './wait.ts';

/** What the OS told us about the end of the process (both null for an adopted process). */
export interface RawExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** How start/adopt wire a process in; not part of the package's public surface. */
export interface QemuProcessInit {
  pid: number;
  qmp: QmpClient;
  paths: RuntimePaths;
  adopted: boolean;
  /** Resolves (never rejects) once the process is gone. */
  gone: Promise<RawExit>;
  /** Sends a signal; false when the process is gone (or no longer ours). */
  sendSignal(signal: NodeJS.Signals): boolean;
  /** Stops watching for the exit (used by detach). */
  unwatch(): void;
}

// NOTE: a child's 'exit' can be reported before the QMP socket's last bytes (the SHUTDOWN event) are read;
// after the exit we give the socket this long to reach EOF so the event is not lost.
const QMP_DRAIN_MS = 1000;

/** A running qemu: its QMP session, its exit (`exited`, `'exit'`), and a graceful `stop()`. */
export class QemuProcess extends EventEmitter<{ exit: [QemuExit] }> {
  readonly pid: number;
  /** The supervisor's QMP session (paths.qmp). Closed once the process is gone. */
  readonly qmp: QmpClient;
  readonly paths: RuntimePaths;
  /** True when found running at server start rather than spawned by this server. */
  readonly adopted: boolean;
  /** Resolves exactly once, when the process is gone. Never rejects; never settles after {@link detach}. */
  readonly exited: Promise<QemuExit>;

  readonly #init: QemuProcessInit;
  readonly #qmpClosed: Promise<void>;
  #resolveExited!: (exit: QemuExit) => void;
  #shutdown: ShutdownInfo | undefined;
  #stoppedBy: StopStep | undefined;
  #escalatedFrom: StopStep | undefined;
  #gone = false;
  #detached = false;
  #exit: QemuExit | undefined;
  #stopping: Promise<QemuExit> | undefined;

  /** @internal Use startQemu() or adoptQemu(). */
  constructor(init: QemuProcessInit) {
    super();
    this.#init = init;
    this.pid = init.pid;
    this.qmp = init.qmp;
    this.paths = init.paths;
    this.adopted = init.adopted;
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.qmp.on('SHUTDOWN', (e) => (this.#shutdown = { guest: e.data.guest, reason: e.data.reason }));
    this.#qmpClosed =
      this.qmp.state === 'closed' ? Promise.resolve() : new Promise((r) => this.qmp.once('close', () => r()));
    void init.gone.then((raw) => this.#onGone(raw));
  }

  /** The exit, once known. */
  get exit(): QemuExit | undefined {
    return this.#exit;
  }

  /** The SHUTDOWN event data, once qemu sent it (guest poweroff, quit, SIGTERM). */
  get shutdown(): ShutdownInfo | undefined {
    return this.#shutdown;
  }

  /**
   * Stops the guest: ACPI `system_powerdown`, then `quit`, then SIGTERM, then SIGKILL, each after the previous
   * step's time limit. A call while an escalation runs shares it, unless it starts at a later step than the one
   * under way: then that step is taken now (a power-off ends a pending ACPI shutdown at once, not after the
   * shutdown's timeout); the earlier escalation ends with the process. Never rejects.
   * @returns the exit; `stoppedBy` names the step that ended it.
   */
  stop(opts?: StopOptions): Promise<QemuExit> {
    if (this.#exit) return Promise.resolve(this.#exit);
    const from = STOP_STEPS.indexOf(opts?.from ?? 'powerdown');
    if (this.#stopping === undefined || from > STOP_STEPS.indexOf(this.#stoppedBy ?? 'powerdown')) {
      this.#stopping = escalateStop(this.#stopTarget(), opts).then(() => this.exited);
    }
    return this.#stopping;
  }

  /**
   * Sends a signal now. SIGTERM and SIGKILL count as virtweb stopping the guest (exit kind `killed`).
   * @returns false when the process is already gone.
   */
  kill(signal: NodeJS.Signals): boolean {
    if (this.#gone) return false;
    if (signal === 'SIGTERM' || signal === 'SIGKILL') {
      this.#stoppedBy = signal === 'SIGTERM' ? 'sigterm' : 'sigkill';
      this.#escalatedFrom = undefined;
    }
    return this.#init.sendSignal(signal);
  }

  /**
   * Stops supervising without stopping the guest (server shutdown): closes the QMP session and stops watching.
   * The guest keeps running and can be adopted again; `exited` (and a pending `stop()`) never settle afterwards.
   */
  async detach(): Promise<void> {
    this.#detached = true;
    this.#init.unwatch();
    await this.qmp.close();
  }

  #isDetached(): boolean {
    return this.#detached;
  }

  #stopTarget(): StopTarget {
    return {
      qmp: this.qmp,
      recordStep: (step, escalatedFrom) => {
        this.#stoppedBy = step;
        this.#escalatedFrom = escalatedFrom;
      },
      signal: (signal) => {
        if (!this.#gone) this.#init.sendSignal(signal);
      },
      waitGone: (timeoutMs) => settlesWithin(this.#init.gone, timeoutMs),
    };
  }

  async #onGone(raw: RawExit): Promise<void> {
    this.#gone = true;
    if (this.#detached) return;
    await settlesWithin(this.#qmpClosed, QMP_DRAIN_MS);
    await this.qmp.close();
    const pidfileRemoved = await access(this.paths.pid).then(
      () => false,
      () => true,
    );
    const logTail = await readLogTail(this.paths.log);
    if (this.#isDetached()) return; // detach() may have been called while we waited
    const exit = classifyExit({
      ...raw,
      shutdown: this.#shutdown,
      stoppedBy: this.#stoppedBy,
      escalatedFrom: this.#escalatedFrom,
      pidfileRemoved,
      logTail,
    });
    this.#exit = exit;
    this.#resolveExited(exit);
    // Outside this async function: a throwing 'exit' listener surfaces like any EventEmitter listener would.
    process.nextTick(() => this.emit('exit', exit));
  }
}
