// Graceful stop: ACPI powerdown -> quit -> SIGTERM -> SIGKILL, each step given a time limit to take effect.
import type { QmpClient } from '@virtweb/qmp';
import type { StopStep } from './exit.ts';

/** Time limits of {@link QemuProcess.stop}, and where to start escalating. */
export interface StopOptions {
  /** How long the guest gets to power off after ACPI `system_powerdown` (default 30000). */
  powerdownTimeoutMs?: number;
  /** How long qemu gets to exit after QMP `quit` (default 5000). */
  quitTimeoutMs?: number;
  /** How long qemu gets to exit after SIGTERM (default 5000); SIGKILL follows. */
  sigtermTimeoutMs?: number;
  /** First step (default `powerdown`); `quit` is a hard power-off that still lets qemu flush and exit. */
  from?: StopStep;
}

/** What the escalation needs from a process; implemented by QemuProcess. */
export interface StopTarget {
  readonly qmp: QmpClient;
  /** Records the step about to be taken (and the one that timed out before it) for the exit reason. */
  recordStep(step: StopStep, escalatedFrom: StopStep | undefined): void;
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Resolves true once the process is gone, false when `timeoutMs` passed first (no timer left behind). */
  waitGone(timeoutMs?: number): Promise<boolean>;
}

/** The steps in escalation order. */
export const STOP_STEPS: readonly StopStep[] = ['powerdown', 'quit', 'sigterm', 'sigkill'];
const QMP_COMMAND_TIMEOUT_MS = 2000;

/** Runs the escalation until the process is gone; the caller reads the exit from its own `exited`. */
export async function escalateStop(target: StopTarget, opts: StopOptions = {}): Promise<void> {
  const limits: Record<StopStep, number | undefined> = {
    powerdown: opts.powerdownTimeoutMs ?? 30_000,
    quit: opts.quitTimeoutMs ?? 5000,
    sigterm: opts.sigtermTimeoutMs ?? 5000,
    // SIGKILL cannot be refused; only an uninterruptible sleep (D state) delays the exit.
    sigkill: undefined,
  };
  let previous: StopStep | undefined;
  for (const step of STOP_STEPS.slice(Math.max(0, STOP_STEPS.indexOf(opts.from ?? 'powerdown')))) {
    target.recordStep(step, previous);
    // A step that could not be sent (QMP already closed) did not time out: don't blame it in the reason.
    if (!takeStep(target, step)) continue;
    if (await target.waitGone(limits[step])) return;
    previous = step;
  }
}

/** Starts one step without waiting for its effect; false when it cannot even be sent (QMP closed). */
function takeStep(target: StopTarget, step: StopStep): boolean {
  switch (step) {
    case 'powerdown':
    case 'quit':
      if (target.qmp.state !== 'ready') return false;
      // The reply does not matter, the exit does: `quit` often loses its reply because qemu closes the socket
      // while exiting, and a hung qemu never replies. The step's time limit runs from here either way.
      target.qmp
        .execute(step === 'powerdown' ? 'system_powerdown' : 'quit', { timeoutMs: QMP_COMMAND_TIMEOUT_MS })
        .catch(() => undefined);
      return true;
    case 'sigterm':
      // NOTE: qemu handles SIGTERM like `quit` (SHUTDOWN reason host-signal, exit code 0).
      target.signal('SIGTERM');
      return true;
    case 'sigkill':
      target.signal('SIGKILL');
      return true;
  }
}
