import type { NicSpec } from '@virtweb/qemu';
import type { Nic } from '@virtweb/protocol';
import { bridgeTapName } from '../../host/bridge-taps.ts';

/** A NIC as qemu gets it: user-mode NAT, or a tap (the server's `vw<id><slot>` for bridge and network NICs). */
export function nicSpec(id: string, nic: Nic): NicSpec {
  const common = { slot: nic.slot, model: nic.model, mac: nic.mac };
  switch (nic.mode) {
    case 'user':
      return { ...common, mode: 'user', portForwards: nic.portForwards };
    case 'tap':
      return { ...common, mode: 'tap', tap: nic.tap };
    case 'bridge':
    case 'network':
      return { ...common, mode: 'tap', tap: bridgeTapName(id, nic.slot) };
  }
}
