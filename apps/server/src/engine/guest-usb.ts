import type { UsbDevice } from '@virtweb/protocol';
import type { RunningGuest } from './running-guest.ts';

/** Host USB devices passed through to a running guest, known by their slot. */
export interface GuestUsbOps {
  /**
   * Plugs `dev` into the guest's USB controller; `nodes` are the host device nodes it will open (the device
   * as plugged in now), made accessible to the engine's process first.
   * @throws the engine's refusal (slot taken, no USB controller)
   */
  plug(guest: RunningGuest, dev: UsbDevice, nodes: readonly string[]): Promise<void>;
  /** Unplugs the device in `slot` (USB needs no guest acknowledgement). @throws the engine's refusal */
  unplug(guest: RunningGuest, slot: number): Promise<void>;
}
