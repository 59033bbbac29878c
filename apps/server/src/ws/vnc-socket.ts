import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import type { WebSocket } from 'ws';
import type { VmService } from '../vms/vm-service.ts';
import { satisfies } from '../http/auth-middleware.ts';
import { RfbPipe, type RfbPipeOptions, type ViewerClose } from './rfb-pipe.ts';
import { ViewOnlyRfbFilter } from './rfb-view-only.ts';
import { runningGuest } from './running-guest.ts';
import type { WsRoute } from './upgrade.ts';

/** How long to wait for qemu's exit after its VNC server hung up, to tell "guest stopped" from a VNC error. */
const EXIT_WAIT_MS = 2000;

/**
 * `/api/vms/:id/vnc`: the guest's VNC server (`-vnc unix:<run>/vnc.sock`) for noVNC, binary RFB both ways.
 * Every viewer gets its own unix connection: qemu serves several clients, each with its own update state,
 * so a slow viewer only ever slows itself.
 */
export function vncRoute(vms: VmService, opts: RfbPipeOptions = {}): WsRoute {
  return {
    pattern: /^\/api\/vms\/([0-9a-f]{12})\/vnc$/,
    // Anyone who may read sees the screen; only `operate` may type and point (a read viewer is view-only).
    scope: 'read',
    maxPayload: WS_MAX_MESSAGE_BYTES.vnc,
    handle(ws: WebSocket, match, _req, principal) {
      const id = match[1] ?? '';
      const { rt } = runningGuest(vms, id, (name) => `${name} is not running`);

      const guestStopped: ViewerClose = { code: 1000, reason: 'guest stopped' };
      const exited = rt.guest.exited.then(() => guestStopped);
      const viewOnly = !satisfies(principal, ['operate']);
      const filter = viewOnly ? new ViewOnlyRfbFilter() : undefined;
      const pipe = new RfbPipe(ws, rt.guest.consoles.screen, {
        ...opts,
        ...(filter && { viewerFilter: (data: Buffer) => filter.filter(data) }),
        // NOTE: qemu closes its VNC clients as it exits, usually before its exit is seen: wait a moment for
        // the exit so that the viewer hears "guest stopped" rather than a VNC error.
        targetEnded: async (error) => {
          const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), EXIT_WAIT_MS).unref());
          const close = await Promise.race([exited, timeout]);
          if (close) return close;
          return {
            code: 1011,
            reason: error ? `VNC connection failed: ${error.message}` : 'VNC server hung up',
          };
        },
      });
      // The exit promise outlives this viewer: let it hold the pipe (and its ring) only while it is open.
      let open: RfbPipe | undefined = pipe;
      void pipe.done.then(() => (open = undefined));
      void exited.then((close) => open?.close(close.code, close.reason));
    },
  };
}
