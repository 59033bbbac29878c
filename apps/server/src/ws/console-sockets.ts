import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import type { WebSocket } from 'ws';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { GuestConsoles } from '../engine/engine.ts';
import type { VmDefinition } from '../vms/definition.ts';
import type { VmService } from '../vms/vm-service.ts';
import { monitorLineLimit } from './monitor-line-limit.ts';
import { qmpInputFilter } from './qmp-input-filter.ts';
import { bridgeUnixSocket, type BridgeOptions, type InputFilter } from './unix-bridge.ts';
import { runningGuest } from './running-guest.ts';
import type { WsRoute } from './upgrade.ts';

interface UnixConsole {
  /** The path segment after `/api/vms/:id/`. */
  name: 'monitor' | 'qmp' | `serial${1 | 2 | 3}`;
  /** The socket, or why this guest has none (a serial port it was not started with). */
  socket: (consoles: GuestConsoles, launched: VmDefinition) => string | { missing: string };
  scope: 'admin' | 'operate';
  maxPayload: number;
  /** Why a second viewer is refused. */
  busyReason: string;
  /** What the browser sends is checked by this before qemu gets it (when given). */
  inputFilter?: () => InputFilter;
}

/**
 * A websocket route that bridges one guest unix socket to one browser at a time.
 * NOTE: qemu's socket chardevs (and each -qmp socket) serve a single client; a second connection is accepted
 * by the kernel but never read, so it would just hang. The second viewer is refused (4409) instead, and the
 * slot is freed when the first one's bridge ends.
 */
function unixConsoleRoute(vms: VmService, c: UnixConsole, opts: BridgeOptions = {}): WsRoute {
  const active = new Map<string, WebSocket>();
  return {
    pattern: new RegExp(`^/api/vms/([0-9a-f]{12})/${c.name}$`),
    scope: c.scope,
    maxPayload: c.maxPayload,
    handle(ws: WebSocket, match) {
      const id = match[1] ?? '';
      const { rt } = runningGuest(vms, id);
      const socket = c.socket(rt.guest.consoles, rt.launched);
      if (typeof socket !== 'string') throw new NotFound('', socket.missing);
      if (active.has(id)) throw new Conflict('busy', c.busyReason);
      active.set(id, ws);
      const onExit = (): void => {
        if (ws.readyState === ws.OPEN) ws.close(1000, 'guest stopped');
      };
      // A listener, not `exited.then`: it is removed with the viewer, so reconnects do not pile up.
      rt.guest.once('exit', onExit);
      // When qemu exits, its end of the socket goes first: the browser gets the same reason either way.
      const bridgeOpts = {
        ...(c.inputFilter === undefined ? {} : { inputFilter: c.inputFilter }),
        ...opts,
        endReason: 'guest stopped',
      };
      void bridgeUnixSocket(ws, socket, bridgeOpts).then(() => {
        rt.guest.off('exit', onExit);
        if (active.get(id) === ws) active.delete(id);
      });
    },
  };
}

/**
 * `/api/vms/:id/monitor`: the guest's HMP monitor (qemu's own readline: history, Tab completion, help);
 * lines longer than qemu can take are refused.
 */
export function monitorRoute(vms: VmService, opts?: BridgeOptions): WsRoute {
  return unixConsoleRoute(
    vms,
    {
      name: 'monitor',
      socket: (p) => p.monitor,
      // HMP and QMP reach everything qemu can do (files, devices, migration to anywhere): admin only.
      scope: 'admin',
      maxPayload: WS_MAX_MESSAGE_BYTES.monitor,
      busyReason: 'the monitor is open in another window',
      inputFilter: () => monitorLineLimit(),
    },
    opts,
  );
}

/**
 * `/api/vms/:id/qmp`: the browser's own QMP session on qmp-user.sock (JSON lines both ways); only JSON
 * objects reach qemu, and no command that would make it start a program.
 */
export function qmpRoute(vms: VmService, opts?: BridgeOptions): WsRoute {
  return unixConsoleRoute(
    vms,
    {
      name: 'qmp',
      socket: (p) => p.qmp,
      scope: 'admin',
      maxPayload: WS_MAX_MESSAGE_BYTES.qmp,
      busyReason: 'the QMP console is open in another window',
      inputFilter: qmpInputFilter,
    },
    opts,
  );
}

/**
 * `/api/vms/:id/serial1` .. `serial3`: the guest's ttyS1 to ttyS3 as raw byte streams, one browser each (no
 * scrollback or log: that is ttyS0's, the console). What the browser sends reaches the port as it is.
 */
export function serialPortRoutes(vms: VmService, opts?: BridgeOptions): WsRoute[] {
  return ([1, 2, 3] as const).map((n) =>
    unixConsoleRoute(
      vms,
      {
        name: `serial${n}`,
        socket: (p, launched) =>
          (launched.devices.serialPorts > n ? p.serialPorts[n - 1] : undefined) ?? {
            missing: `the guest has no ttyS${n}: it runs with ${launched.devices.serialPorts} serial port(s)`,
          },
        scope: 'operate',
        maxPayload: WS_MAX_MESSAGE_BYTES.serial,
        busyReason: `ttyS${n} is open in another window`,
      },
      opts,
    ),
  );
}
