import { isOperationAllowed, LIVE_STATES, type VmState } from '@virtweb/protocol';

/** States in which disks, CD and snapshots can change (live while running or paused, else the files). */
export function canChangeStorage(state: VmState): boolean {
  return isOperationAllowed('disks', state);
}

export function isLive(state: VmState): boolean {
  return LIVE_STATES.includes(state);
}

/** Why storage buttons are disabled, for the hint under them. */
export function storageHint(state: VmState): string {
  if (isLive(state)) return 'Changes apply to the running guest at once and are kept for the next start.';
  if (canChangeStorage(state)) return 'The guest is not running: changes apply at the next start.';
  return `The guest is ${state}: wait until it runs or has stopped.`;
}
