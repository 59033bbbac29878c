import { ErrorCode, type Vm } from '@virtweb/protocol';
import { isQmpError, isQmpExecuteError } from '@virtweb/qmp';
import { Conflict } from '../domain/errors.ts';

/** A QMP failure as a Conflict (qemu's refusal, or the guest going away mid-request); other errors as they are. */
export function qmpFailure(err: unknown, vm: Vm): unknown {
  if (isQmpExecuteError(err)) return new Conflict(ErrorCode.qemuFailed, `qemu refused: ${err.message}`);
  if (isQmpError(err)) return new Conflict(ErrorCode.wrongState, `VM ${vm.name} stopped during the request`);
  return err;
}
