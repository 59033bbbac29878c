// Socket addresses as QMP commands take and report them (qapi/sockets.json, qemu 7.2).

/** Where a listening socket is or a client connects (the flat SocketAddress union, qapi/sockets.json). */
export type QmpSocketAddress =
  | {
      type: 'inet';
      host: string;
      /** A number or a service name, as a string; `'0'` lets the kernel pick a free port. */
      port: string;
      numeric?: boolean;
      to?: number;
      ipv4?: boolean;
      ipv6?: boolean;
      'keep-alive'?: boolean;
      mptcp?: boolean;
    }
  | { type: 'unix'; path: string; abstract?: boolean; tight?: boolean }
  | { type: 'vsock'; cid: string; port: string }
  | { type: 'fd'; str: string };

/** The same addresses in the older `{type, data}` form, which `nbd-server-start` still takes in qemu 7.2. */
export type QmpSocketAddressLegacy = {
  [T in QmpSocketAddress['type']]: { type: T; data: Omit<Extract<QmpSocketAddress, { type: T }>, 'type'> };
}[QmpSocketAddress['type']];
