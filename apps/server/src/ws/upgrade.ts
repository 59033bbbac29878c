import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TokenScope } from '@virtweb/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { DomainError } from '../domain/errors.ts';
import { satisfies, scopeRefusal, type Authenticator } from '../http/auth-middleware.ts';
import type { Principal } from '../auth/principal.ts';
import { closeOf } from './close-codes.ts';
import type { CredentialSockets } from './credential-sockets.ts';
import type { SessionHook } from './session-tasks.ts';

/** A websocket route: the path pattern, the scope it needs, and what to do with an accepted socket. */
export interface WsRoute {
  pattern: RegExp;
  scope: TokenScope;
  /** The largest message a client may send (a bigger one closes the socket with 1009 before it is buffered). */
  maxPayload: number;
  /** @throws DomainError to refuse the socket (closed with the code of its kind: see close-codes.ts). */
  handle(ws: WebSocket, match: RegExpExecArray, req: IncomingMessage, principal: Principal): void;
}

function reject(socket: Duplex, status: number, text: string, message: string): void {
  const body = JSON.stringify({ error: { code: text.toLowerCase().replaceAll(' ', '_'), message } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * True when the Origin header (sent by every browser) names this same host. Non-browser clients send none;
 * they still need the session cookie or an API token.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Every accepted socket gets an error listener before its route sees it: ws reports a bad frame (too large:
 * 1009, invalid UTF-8: 1007, protocol errors: 1002) as an 'error' event after closing the socket with that
 * code, and an 'error' without a listener would end the process. (Ping floods are ws's own concern: a client
 * that leaves 60 pongs unread is cut off.) A route's refusal closes the socket with its code and words.
 */
function accept(
  ws: WebSocket,
  route: WsRoute,
  match: RegExpExecArray,
  req: IncomingMessage,
  principal: Principal,
): void {
  ws.on('error', () => undefined);
  try {
    route.handle(ws, match, req, principal);
  } catch (err) {
    if (err instanceof DomainError) {
      const { code, reason } = closeOf(err);
      ws.close(code, reason);
      return;
    }
    console.error(`virtweb: websocket ${req.url ?? ''}:`, err);
    ws.close(1011, 'internal error');
  }
}

/**
 * Routes websocket upgrades: session cookie or API token (401) and same origin (403) first, then the path
 * and its scope (403); every accepted socket is tracked so that revoking its credential closes it, and shown
 * to `onSession` (the task log) before its route handles it.
 */
export function attachWebSockets(
  server: Server,
  auth: Authenticator,
  routes: WsRoute[],
  sockets: CredentialSockets,
  onSession?: SessionHook,
): void {
  // One server per message size limit: ws applies `maxPayload` per server, as the socket is created.
  const servers = new Map<number, WebSocketServer>();
  const serverFor = (maxPayload: number): WebSocketServer => {
    let wss = servers.get(maxPayload);
    if (!wss) {
      // NOTE: no per-message deflate: consoles stream already-compact or incompressible data and it costs CPU.
      wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload });
      servers.set(maxPayload, wss);
    }
    return wss;
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (url === null) return reject(socket, 400, 'Bad Request', 'malformed URL');
    const principal = auth.check(req);
    if (principal === undefined) return reject(socket, 401, 'Unauthorized', 'log in first');
    if (!sameOrigin(req)) return reject(socket, 403, 'Forbidden', 'cross-origin websocket refused');
    for (const route of routes) {
      const match = route.pattern.exec(url.pathname);
      if (match) {
        if (!satisfies(principal, [route.scope])) {
          return reject(
            socket,
            403,
            'Forbidden',
            scopeRefusal(url.pathname, principal, [route.scope]).message,
          );
        }
        serverFor(route.maxPayload).handleUpgrade(req, socket, head, (ws) => {
          sockets.track(principal, ws);
          onSession?.(ws, principal, req);
          accept(ws, route, match, req, principal);
        });
        return;
      }
    }
    reject(socket, 404, 'Not Found', `no websocket at ${url.pathname}`);
  });
}
