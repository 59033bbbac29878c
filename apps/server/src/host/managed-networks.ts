// The seam to managed networks (bridges the server runs, /api/networks): a NIC in `network` mode asks it for
// its network's bridge at each start and hot-plug, then gets a tap on that bridge as a `bridge` NIC does.
import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';

export interface ManagedNetworks {
  /**
   * The bridge of the managed network `name`, up and ready for taps.
   * @throws Conflict when there is no such network (or it cannot be used now)
   */
  bridgeOf(name: string): Promise<string>;
}

/** What a server without managed networks has: every name is unknown. */
export const NO_MANAGED_NETWORKS: ManagedNetworks = {
  bridgeOf(name) {
    return Promise.reject(new Conflict(ErrorCode.conflict, `no managed network named ${name}`));
  },
};
