// Network backends and NICs: hot-plugged backends, the link of a NIC, what a NIC filters.
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpEmpty } from './message.ts';

/** A `netdev_add` backend: user-mode NAT (slirp) with its port forwards, or an existing tap. */
export type QmpNetdev =
  | { type: 'user'; id: string; hostfwd?: { str: string }[] }
  | { type: 'tap'; id: string; ifname: string; script: 'no'; downscript: 'no' };

/** One NIC's receive filter (`query-rx-filter`); only what virtweb reads. */
export interface QmpRxFilterInfo {
  name: string;
  'main-mac': string;
}

export interface QmpNetCommands {
  netdev_add: { args: QmpNetdev; return: QmpEmpty };
  netdev_del: { args: { id: string }; return: QmpEmpty };
  /** `name`: a NIC's device id (its backend follows) or a backend's id. */
  set_link: { args: { name: string; up: boolean }; return: QmpEmpty };
  'query-rx-filter': { args: { name?: string }; return: QmpRxFilterInfo[] };
}
