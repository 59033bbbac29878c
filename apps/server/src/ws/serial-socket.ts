import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import type { WebSocket } from 'ws';
import type { VmService } from '../vms/vm-service.ts';
import { WsClose, type WsRoute } from './upgrade.ts';

/** A console that stops reading is dropped instead of making the server buffer without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** `/api/vms/:id/serial`: scrollback replay, then live serial output; what the browser sends is typed. */
export function serialRoute(vms: VmService): WsRoute {
  return {
    pattern: /^\/api\/vms\/([0-9a-f]{12})\/serial$/,
    scope: 'operate',
    maxPayload: WS_MAX_MESSAGE_BYTES.serial,
    handle(ws: WebSocket, match) {
      const id = match[1] ?? '';
      const vm = vms.list().find((v) => v.id === id);
      if (!vm) return ws.close(WsClose.notFound, `no VM ${id}`);
      const rt = vms.runtime(id);
      if (!rt) return ws.close(WsClose.wrongState, `VM ${vm.name} is not running`);
      ws.send(rt.serial.scrollback());
      const unsubscribe = rt.serial.subscribe((chunk) => {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.close(WsClose.tooSlow, 'console too slow: reconnect');
        else ws.send(chunk);
      });
      const onExit = (): void => {
        if (ws.readyState === ws.OPEN) ws.close(1000, 'guest stopped');
      };
      void rt.proc.exited.then(onExit);
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        rt.serial.write(bytes);
      });
      ws.on('close', unsubscribe);
    },
  };
}
