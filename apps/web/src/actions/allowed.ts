import type { VmAction, VmState } from '@virtweb/protocol';

/** The server's lifecycle rules (anything else answers 409 `wrong_state`). */
const ALLOWED: Record<VmAction, readonly VmState[]> = {
  start: ['defined', 'stopped', 'crashed'],
  shutdown: ['running', 'paused'],
  poweroff: ['running', 'paused'],
  reset: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
};

export function canDo(action: VmAction, state: VmState): boolean {
  return ALLOWED[action].includes(state);
}

/** A VM can be deleted when no qemu process belongs to it. */
export function canDelete(state: VmState): boolean {
  return state === 'defined' || state === 'stopped' || state === 'crashed';
}
