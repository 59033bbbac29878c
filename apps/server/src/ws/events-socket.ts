import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import type { WebSocket } from 'ws';
import type { EventBus } from '../events/bus.ts';
import { WsClose } from './close-codes.ts';
import type { WsRoute } from './upgrade.ts';

/** A browser that cannot keep up with events is dropped (it reconnects and refetches). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** `/api/events`: every server event as one JSON text message. */
export function eventsRoute(bus: EventBus): WsRoute {
  return {
    pattern: /^\/api\/events$/,
    scope: 'read',
    // The browser sends nothing here.
    maxPayload: WS_MAX_MESSAGE_BYTES.events,
    handle(ws: WebSocket) {
      ws.send(JSON.stringify({ type: 'hello', at: new Date().toISOString() }));
      const unsubscribe = bus.subscribe((event) => {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          ws.close(WsClose.tooSlow, 'too slow: events dropped, reconnect');
          return;
        }
        ws.send(JSON.stringify(event));
      });
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
    },
  };
}
