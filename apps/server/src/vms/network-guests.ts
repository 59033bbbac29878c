import { LIVE_STATES, type Vm } from '@virtweb/protocol';
import type { GuestsOnNetwork } from '../networks/network-guests.ts';

/** The guests with a NIC on a managed network, from the VM store: their names, those NICs' MACs, and whether they run. */
export function guestsOnNetworkOf(vms: { list(): Vm[] }): GuestsOnNetwork {
  return (network) =>
    vms.list().flatMap((vm) => {
      const macs = vm.nics.filter((n) => n.mode === 'network' && n.network === network).map((n) => n.mac);
      return macs.length === 0 ? [] : [{ name: vm.name, macs, running: LIVE_STATES.includes(vm.state) }];
    });
}
