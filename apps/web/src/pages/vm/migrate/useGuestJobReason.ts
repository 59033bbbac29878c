import type { Vm } from '@virtweb/protocol';
import { useVmJobRunning } from '../../../queries/migrations.ts';
import { useRoleGate } from '../../../queries/role.ts';
import { JOB_RUNNING_REASON } from './migrateStates.ts';

/**
 * Why a job on the guest (migrate, save state) cannot start now, first reason first: the user's role, another
 * job of the guest under way, or the guest's state (`stateReason` when `allowed` is false). Undefined: it can.
 */
export function useGuestJobReason(vm: Vm, allowed: boolean, stateReason: string): string | undefined {
  const busy = useVmJobRunning(vm.id);
  const role = useRoleGate('operate');
  if (role.reason) return role.reason;
  if (busy) return JOB_RUNNING_REASON;
  return allowed ? undefined : stateReason;
}
