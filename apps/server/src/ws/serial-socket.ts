import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import type { WebSocket } from 'ws';
import type { VmService } from '../vms/vm-service.ts';
import { BrowserInputPacer, INPUT_STALLED_REASON } from './browser-input.ts';
import { WsClose } from './close-codes.ts';
import { runningGuest } from './running-guest.ts';
import type { WsRoute } from './upgrade.ts';

/** A console that stops reading is dropped instead of making the server buffer without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface SerialRouteOptions {
  /** A guest that takes none of a console's queued input for this long closes that console (4408). */
  inputStallMs?: number;
}

/** `/api/vms/:id/serial`: scrollback replay, then live serial output; what the browser sends is typed. */
export function serialRoute(vms: VmService, opts: SerialRouteOptions = {}): WsRoute {
  return {
    pattern: /^\/api\/vms\/([0-9a-f]{12})\/serial$/,
    scope: 'operate',
    maxPayload: WS_MAX_MESSAGE_BYTES.serial,
    handle(ws: WebSocket, match) {
      const id = match[1] ?? '';
      const { rt } = runningGuest(vms, id);
      ws.send(rt.serial.scrollback());
      const unsubscribe = rt.serial.subscribe((chunk) => {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.close(WsClose.tooSlow, 'console too slow: reconnect');
        else ws.send(chunk);
      });
      const onExit = (): void => {
        if (ws.readyState === ws.OPEN) ws.close(1000, 'guest stopped');
      };
      void rt.guest.exited.then(onExit);
      const input = rt.serial.input(() => pacer.drained());
      const pacer = new BrowserInputPacer(ws, opts.inputStallMs ?? 15_000, () => {
        input.close();
        ws.close(WsClose.tooSlow, INPUT_STALLED_REASON);
      });
      ws.on('message', (data: Buffer) => {
        // After a close (ours or the browser's) the rest is dropped, not typed.
        if (ws.readyState !== ws.OPEN) return;
        if (!input.write(data)) pacer.blocked();
      });
      ws.on('close', () => {
        unsubscribe();
        pacer.stop();
        input.close();
      });
    },
  };
}
