// Typed failures of this package: callers branch on the class, and show qemu's own words from the fields.

/** Base class of every error raised by this package. */
export class QemuError extends Error {
  override name = 'QemuError';
}

/** `qemu-img` could not be run, or exited non-zero. `stderr` is qemu-img's own explanation. */
export class QemuImgError extends QemuError {
  override name = 'QemuImgError';
  /** The argv passed to qemu-img (without the binary). */
  readonly args: readonly string[];
  /** Exit code, or null when qemu-img did not run or died from a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** qemu-img's stderr, trimmed (e.g. "qemu-img: /x/y.qcow2: Could not create '/x/y.qcow2': No such file..."). */
  readonly stderr: string;

  constructor(
    message: string,
    fields: {
      args: readonly string[];
      exitCode: number | null;
      signal?: NodeJS.Signals | null;
      stderr: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.args = fields.args;
    this.exitCode = fields.exitCode;
    this.signal = fields.signal ?? null;
    this.stderr = fields.stderr;
  }
}

/** qemu exited (or could not be spawned, or never opened QMP) before the guest was up. */
export class QemuStartError extends QemuError {
  override name = 'QemuStartError';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines qemu wrote to qemu.log during this start, e.g. "Failed to get "write" lock". */
  readonly logTail: string;

  constructor(
    message: string,
    fields: { exitCode: number | null; signal: NodeJS.Signals | null; logTail: string },
    options?: { cause?: unknown },
  ) {
    super(fields.logTail === '' ? message : `${message}: ${lastLine(fields.logTail)}`, options);
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.logTail = fields.logTail;
  }
}

/** A live qemu owns the run directory, but its QMP socket did not answer (e.g. another client holds it). */
export class QemuAdoptError extends QemuError {
  override name = 'QemuAdoptError';
  readonly pid: number;

  constructor(message: string, pid: number, options?: { cause?: unknown }) {
    super(message, options);
    this.pid = pid;
  }
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

export const isQemuError = (e: unknown): e is QemuError => e instanceof QemuError;
export const isQemuImgError = (e: unknown): e is QemuImgError => e instanceof QemuImgError;
export const isQemuStartError = (e: unknown): e is QemuStartError => e instanceof QemuStartError;
export const isQemuAdoptError = (e: unknown): e is QemuAdoptError => e instanceof QemuAdoptError;
