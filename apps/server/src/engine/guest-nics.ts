import type { Nic } from '@virtweb/protocol';
import type { RunningGuest } from './running-guest.ts';

/**
 * NICs of a running guest. A NIC is known by its slot, the same before and after a restart; what the engine
 * calls its backend and device, and the tap a bridged NIC needs, stay inside the engine.
 */
export interface GuestNicOps {
  /**
   * Plugs `nic` into guest `id`: its backend (the tap of a bridge or managed-network NIC made first), then its
   * device, with the link down when `nic.linkUp` is false. A failure undoes every step (no half-attached NIC,
   * no tap left).
   * @throws Conflict (no such managed network, the tap cannot be made), the engine's refusal
   */
  plug(id: string, guest: RunningGuest, machine: 'q35' | 'pc', nic: Nic): Promise<void>;
  /**
   * Unplugs NIC `slot` of guest `id`: waits for the guest to let go of the device, and only then removes its
   * backend and tap. @throws UnplugTimeoutError (the NIC stays whole), the engine's refusal
   */
  unplug(id: string, guest: RunningGuest, slot: number): Promise<void>;
  /** Connects or disconnects the cable of NIC `slot`. @throws the engine's refusal */
  setLink(guest: RunningGuest, slot: number, up: boolean): Promise<void>;
}
