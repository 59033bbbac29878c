import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.ts';
import type { Revocations } from '../auth/revocations.ts';
import { WsClose } from './close-codes.ts';

/** A peer that does not answer the close handshake is cut off after this long. */
const CLOSE_GRACE_MS = 1000;
/** setTimeout's longest delay (about 24.8 days); a session lasts 7 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const keyOf = (kind: Principal['kind'], id: string): string => `${kind}:${id}`;

/**
 * The open websockets of each credential, so that revoking a token or ending a session (or the session
 * expiring) closes them at once: a socket's credential is checked only when it opens.
 */
export class CredentialSockets {
  private readonly open = new Map<string, Set<WebSocket>>();

  constructor(revocations: Revocations) {
    revocations.subscribe((kind, id) => {
      for (const ws of this.open.get(keyOf(kind, id)) ?? []) end(ws, 'credential revoked');
    });
  }

  /** Keeps `ws` until it closes; closes it when its credential is revoked or its session expires. */
  track(principal: Principal, ws: WebSocket): void {
    const key = keyOf(principal.kind, principal.id);
    const sockets = this.open.get(key) ?? new Set<WebSocket>();
    this.open.set(key, sockets);
    sockets.add(ws);
    const expiry =
      principal.expiresAt === undefined
        ? undefined
        : setTimeout(
            () => end(ws, 'session expired'),
            Math.min(principal.expiresAt - Date.now(), MAX_TIMER_MS),
          );
    expiry?.unref();
    ws.once('close', () => {
      clearTimeout(expiry);
      sockets.delete(ws);
      if (sockets.size === 0 && this.open.get(key) === sockets) this.open.delete(key);
    });
  }
}

function end(ws: WebSocket, reason: string): void {
  ws.close(WsClose.revoked, reason);
  // The close frame tells the browser at once; one that never answers it is not waited for.
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}
