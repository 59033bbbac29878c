import { LIVE_STATES } from '@virtweb/protocol';
import type { GuestsOnNetwork } from '../networks/network-guests.ts';
import type { VmsRepo } from '../store/vms-repo.ts';

/**
 * The guests with a NIC on a managed network, from the stored records (asked at every guest change: no API views
 * built for it): their names, those NICs' MACs, and whether they run.
 */
export function guestsOnNetworkOf(repo: Pick<VmsRepo, 'list'>): GuestsOnNetwork {
  return (network) =>
    repo.list().flatMap(({ definition, state }) => {
      const macs = definition.nics
        .filter((n) => n.mode === 'network' && n.network === network)
        .map((n) => n.mac);
      return macs.length === 0 ? [] : [{ name: definition.name, macs, running: LIVE_STATES.includes(state) }];
    });
}
