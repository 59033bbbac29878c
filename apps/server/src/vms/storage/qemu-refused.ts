import { ErrorCode } from '@virtweb/protocol';
import { isQmpError, isQmpExecuteError } from '@virtweb/qmp';
import { Conflict, DomainError } from '../../domain/errors.ts';

/** A QMP refusal as a Conflict `qemu_failed` carrying qemu's own words; anything else is rethrown. */
export function qemuRefused(err: unknown, what: string): unknown {
  if (err instanceof DomainError) return err;
  if (isQmpExecuteError(err)) return new Conflict(ErrorCode.qemuFailed, `${what}: qemu says: ${err.desc}`);
  // The connection went away (qemu exited) or timed out: still qemu's business, not a server bug.
  if (isQmpError(err)) return new Conflict(ErrorCode.qemuFailed, `${what}: ${err.message}`);
  return err;
}
