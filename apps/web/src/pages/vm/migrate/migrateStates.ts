import type { VmState } from '@virtweb/protocol';

// Which guests can move, and how: live while qemu runs the guest, offline while no qemu process exists.

const LIVE: readonly VmState[] = ['running', 'paused'];
const OFFLINE: readonly VmState[] = ['defined', 'stopped', 'crashed'];

export function isLiveMove(state: VmState): boolean {
  return LIVE.includes(state);
}

export function canMigrate(state: VmState): boolean {
  return LIVE.includes(state) || OFFLINE.includes(state);
}

/** A guest's state can be saved while qemu holds it. */
export function canSaveState(state: VmState): boolean {
  return LIVE.includes(state);
}

/** A saved state is restored into its VM while that has no qemu process. */
export function canRestoreState(state: VmState): boolean {
  return OFFLINE.includes(state);
}
