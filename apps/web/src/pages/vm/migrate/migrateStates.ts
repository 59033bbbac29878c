import { isOperationAllowed, LIVE_STATES, type VmState } from '@virtweb/protocol';

// Which guests can move, and how (the operation table in packages/protocol): live while qemu runs the guest,
// offline while no qemu process exists.

/** Why a guest with a job under way (`useVmJobRunning`) cannot start another. */
export const JOB_RUNNING_REASON = 'A migration, save or restore of this guest is running.';

export function isLiveMove(state: VmState): boolean {
  return LIVE_STATES.includes(state);
}

export function canMigrate(state: VmState): boolean {
  return isOperationAllowed('migrate', state);
}

/** A guest's state can be saved while qemu holds it. */
export function canSaveState(state: VmState): boolean {
  return isOperationAllowed('save', state);
}

/** A saved state is restored into its VM while that has no qemu process. */
export function canRestoreState(state: VmState): boolean {
  return isOperationAllowed('restore', state);
}
