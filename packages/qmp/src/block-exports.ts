// qemu's NBD server and the block nodes it exports (the disk copy of a live migration reads them).
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpEmpty } from './message.ts';
import type { QmpSocketAddressLegacy } from './socket-address.ts';

/** A block export (`query-block-exports`). */
export type QmpBlockExportInfo = {
  id: string;
  type: 'nbd' | 'vhost-user-blk' | 'fuse' | 'vduse-blk';
  'node-name': string;
  'shutting-down': boolean;
};

/** Commands on the NBD server and block exports. */
export interface QmpBlockExportCommands {
  /** Starts qemu's one NBD server (exports are added separately); fails when one already runs. */
  'nbd-server-start': {
    args: {
      addr: QmpSocketAddressLegacy;
      'tls-creds'?: string;
      'tls-authz'?: string;
      'max-connections'?: number;
    };
    return: QmpEmpty;
  };
  /** Deprecated since qemu 5.2 in favour of `block-export-add` (type `nbd`); still present in 7.2. */
  'nbd-server-add': {
    args: { device: string; name?: string; description?: string; writable?: boolean; bitmap?: string };
    return: QmpEmpty;
  };
  /** Stops the NBD server and removes every NBD export. */
  'nbd-server-stop': { return: QmpEmpty };
  /** Exports a block node; only the `nbd` variant is spelled out (the server must run: nbd-server-start). */
  'block-export-add': {
    args: {
      type: 'nbd';
      id: string;
      'node-name': string;
      writable?: boolean;
      writethrough?: boolean;
      iothread?: string;
      'fixed-iothread'?: boolean;
      /** The export name clients ask for; default the node name. */
      name?: string;
      description?: string;
      bitmaps?: string[];
      'allocation-depth'?: boolean;
    };
    return: QmpEmpty;
  };
  'block-export-del': { args: { id: string; mode?: 'safe' | 'hard' }; return: QmpEmpty };
  'query-block-exports': { return: QmpBlockExportInfo[] };
}
