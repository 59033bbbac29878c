import type { VmState } from '@virtweb/protocol';

/**
 * The one word people see for a state. The API's `defined` (never started) reads "stopped" like a guest
 * that ran and stopped: to a user both are simply off.
 */
export function stateWord(state: VmState): string {
  return state === 'defined' ? 'stopped' : state;
}

/** Why the word is what it is, where the API state says more. */
export function stateTitle(state: VmState): string | undefined {
  return state === 'defined' ? 'stopped: never started since it was defined' : undefined;
}
