import type { VmAction, VmState } from '@virtweb/protocol';

/** From which states each lifecycle action is allowed; anything else is a 409. */
const ALLOWED: Record<VmAction, readonly VmState[]> = {
  start: ['defined', 'stopped', 'crashed'],
  shutdown: ['running', 'paused'],
  // Power off also ends a guest whose ACPI shutdown is stuck.
  poweroff: ['running', 'paused', 'stopping'],
  reset: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
};

/** States in which a qemu process exists (or should, after a server restart). */
export const PROCESS_STATES: readonly VmState[] = ['starting', 'running', 'paused', 'stopping', 'migrating'];

export function isActionAllowed(action: VmAction, state: VmState): boolean {
  return ALLOWED[action].includes(state);
}

/** A readable reason for a refused action, e.g. "cannot pause a VM that is stopped (allowed when running)". */
export function refusalMessage(action: VmAction, state: VmState): string {
  return `cannot ${action} a VM that is ${state} (allowed when ${ALLOWED[action].join(' or ')})`;
}
