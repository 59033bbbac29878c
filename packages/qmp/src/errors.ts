// Every failure the QMP client reports is one of these classes, so callers branch on type, never on message text.

/** Base class of every error raised by this package. */
export class QmpError extends Error {
  override name = 'QmpError';
}

/** The socket could not be opened, qemu sent no/a bad greeting, or capabilities negotiation failed. */
export class QmpConnectionError extends QmpError {
  override name = 'QmpConnectionError';
  /** The unix socket the client tried to reach. */
  readonly socketPath: string;
  /** errno code of the socket failure (`ENOENT`, `ECONNREFUSED`, ...), `ETIMEDOUT` for the handshake timeout. */
  readonly code: string | undefined;

  constructor(message: string, socketPath: string, options?: { code?: string; cause?: unknown }) {
    super(`${message} (${socketPath})`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.socketPath = socketPath;
    this.code = options?.code;
  }
}

/** qemu answered a command with `{"error": {"class", "desc"}}`. */
export class QmpExecuteError extends QmpError {
  override name = 'QmpExecuteError';
  /** qemu's error class, e.g. `GenericError`, `CommandNotFound`, `DeviceNotFound`. */
  readonly errorClass: string;
  /** qemu's human-readable description. */
  readonly desc: string;
  readonly command: string;

  constructor(command: string, errorClass: string, desc: string) {
    super(`${command}: ${desc} [${errorClass}]`);
    this.command = command;
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

/** The connection went away while the command was waiting for its reply. */
export class QmpInterruptedError extends QmpError {
  override name = 'QmpInterruptedError';
  readonly command: string;

  constructor(command: string, options?: { cause?: unknown }) {
    super(`${command}: connection closed before qemu replied`, options);
    this.command = command;
  }
}

/** No reply arrived within the caller's `timeoutMs`; a late reply is discarded. */
export class QmpTimeoutError extends QmpError {
  override name = 'QmpTimeoutError';
  readonly command: string;
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number) {
    super(`${command}: no reply from qemu within ${timeoutMs} ms`);
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

/** The command was issued after the client had closed. */
export class QmpClosedError extends QmpError {
  override name = 'QmpClosedError';
  readonly command: string;

  constructor(command: string) {
    super(`${command}: QMP connection is closed`);
    this.command = command;
  }
}

/** The peer sent something that is not QMP (bad JSON, unknown message shape, oversized line). */
export class QmpProtocolError extends QmpError {
  override name = 'QmpProtocolError';
}

export const isQmpError = (e: unknown): e is QmpError => e instanceof QmpError;
export const isQmpConnectionError = (e: unknown): e is QmpConnectionError => e instanceof QmpConnectionError;
export const isQmpExecuteError = (e: unknown): e is QmpExecuteError => e instanceof QmpExecuteError;
export const isQmpInterruptedError = (e: unknown): e is QmpInterruptedError =>
  e instanceof QmpInterruptedError;
export const isQmpTimeoutError = (e: unknown): e is QmpTimeoutError => e instanceof QmpTimeoutError;
export const isQmpClosedError = (e: unknown): e is QmpClosedError => e instanceof QmpClosedError;
export const isQmpProtocolError = (e: unknown): e is QmpProtocolError => e instanceof QmpProtocolError;
