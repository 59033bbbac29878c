import { ErrorCode, type Vm } from '@virtweb/protocol';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { VmRuntime } from '../vms/vm-runtime.ts';
import type { VmService } from '../vms/vm-service.ts';

/**
 * The guest a console connects to, with its running qemu.
 * @throws NotFound `no VM <id>` (4404), Conflict `wrong_state` (4409) saying it is not running.
 */
export function runningGuest(
  vms: VmService,
  id: string,
  notRunning = (name: string) => `VM ${name} is not running`,
): { vm: Vm; rt: VmRuntime } {
  const vm = vms.list().find((v) => v.id === id);
  if (!vm) throw new NotFound(`VM ${id}`, `no VM ${id}`);
  const rt = vms.runtime(id);
  if (!rt) throw new Conflict(ErrorCode.wrongState, notRunning(vm.name));
  return { vm, rt };
}
