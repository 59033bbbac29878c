import { ErrorCode } from '@virtweb/protocol';
import { ImageExistsError, isQemuImgError, QemuImgError } from '@virtweb/qemu';
import { conflict, HttpError } from '../http/errors.ts';

/**
 * A qemu-img failure as an HTTP answer carrying qemu-img's own words: a lock held by a running qemu is 409, a
 * full disk 507, any other refusal of the request 400; qemu-img that cannot run at all is a server fault (500).
 * Anything that is not a qemu-img error is returned unchanged.
 */
export function fromQemuImg(err: unknown, what: string): unknown {
  if (err instanceof ImageExistsError)
    return conflict(ErrorCode.exists, `${what}: the target already exists`);
  if (!(err instanceof QemuImgError)) return err;
  const text = qemuImgReason(err);
  if (err.exitCode === null) {
    return new HttpError(500, ErrorCode.qemuFailed, `${what}: ${err.message}`);
  }
  if (/lock/i.test(err.stderr)) return new HttpError(409, ErrorCode.inUse, `${what}: ${text}`);
  if (/No space left/i.test(err.stderr)) return new HttpError(507, ErrorCode.qemuFailed, `${what}: ${text}`);
  return new HttpError(400, ErrorCode.qemuFailed, `${what}: ${text}`);
}

/** qemu-img's own words for why it failed (its stderr), else the error's message. */
export function qemuImgReason(err: unknown): string {
  if (isQemuImgError(err) && err.stderr !== '') return err.stderr.replaceAll('\n', ' ');
  return err instanceof Error ? err.message : String(err);
}
