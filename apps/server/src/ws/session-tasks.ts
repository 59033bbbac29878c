import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.ts';
import type { TaskActors } from '../tasks/task-actors.ts';
import type { TaskLog } from '../tasks/task-log.ts';

/** Called for every websocket accepted, before its route handles it. */
export type SessionHook = (ws: WebSocket, principal: Principal, req: IncomingMessage) => void;

/** The sockets that can change a guest in any way (qemu's monitor and QMP): each session is a task. */
const RECORDED = /^\/api\/vms\/([0-9a-f]{12})\/(monitor|qmp)$/;
/** Closes that end a session as it should: normal, going away (a closed tab), no status. */
const CLEAN_CLOSES = new Set([1000, 1001, 1005]);

/**
 * Records each monitor and QMP session in the task log, from open to close: who, from where, which guest,
 * how long; failed when the socket closed with an error (refused as busy, the guest gone). Never what was
 * typed.
 */
export function recordConsoleSessions(tasks: TaskLog, actors: TaskActors): SessionHook {
  return (ws, principal, req) => {
    const match = RECORDED.exec(URL.parse(req.url ?? '/', 'http://localhost')?.pathname ?? '');
    const [, vmId, kind] = match ?? [];
    if (vmId === undefined || kind === undefined) return;
    const id = tasks.begin({
      op: `vm.${kind}`,
      route: `WS /api/vms/:id/${kind}`,
      user: actors.userOf(principal),
      via: principal.kind,
      scope: principal.scope,
      client: req.socket.remoteAddress ?? '',
      target: actors.vmName(vmId) ?? vmId,
      vmId,
      startedAt: Date.now(),
    });
    if (id === undefined) return;
    ws.once('close', (code: number, reason: Buffer) => {
      if (CLEAN_CLOSES.has(code)) {
        tasks.end(id, { status: 'ok' });
        return;
      }
      tasks.end(id, { status: 'failed', errorCode: `closed_${code}`, error: reason.toString() });
    });
  };
}
