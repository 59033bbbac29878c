import { ErrorCode } from '@virtweb/protocol';
import { ImageExistsError, isQemuImgError, QemuImgError } from '@virtweb/qemu';
import { Conflict, HostFault, Invalid, NoSpace } from '../domain/errors.ts';

/**
 * A qemu-img failure as a domain error carrying qemu-img's own words: a lock held by a running qemu is a
 * Conflict `in_use`, a full disk NoSpace, any other refusal of the request Invalid, also when qemu-img was
 * ended by a signal (its time limit: an image a client chose may keep it busy that long). Only qemu-img that
 * cannot run at all is the host's fault (HostFault). Anything that is not a qemu-img error is returned as is.
 */
export function fromQemuImg(err: unknown, what: string): unknown {
  if (err instanceof ImageExistsError)
    return new Conflict(ErrorCode.exists, `${what}: the target already exists`);
  if (!(err instanceof QemuImgError)) return err;
  const text = qemuImgReason(err);
  if (err.exitCode === null && err.signal === null) {
    return new HostFault(ErrorCode.qemuFailed, `${what}: ${err.message}`);
  }
  if (/lock/i.test(err.stderr)) return new Conflict(ErrorCode.inUse, `${what}: ${text}`);
  if (/No space left/i.test(err.stderr)) return new NoSpace(ErrorCode.qemuFailed, `${what}: ${text}`);
  return new Invalid(`${what}: ${text}`, undefined, ErrorCode.qemuFailed);
}

/** qemu-img's own words for why it failed (its stderr), else the error's message. */
export function qemuImgReason(err: unknown): string {
  if (isQemuImgError(err) && err.stderr !== '') return err.stderr.replaceAll('\n', ' ');
  return err instanceof Error ? err.message : String(err);
}
