import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { VmState } from '@virtweb/protocol';
import { onServerBack } from '../../queries/serverLink.ts';

/** Whether a guest's consoles can be reached: `on` while a qemu process exists and is past its start. */
export type ConsolePhase = 'off' | 'starting' | 'on';

export function consolePhase(state: VmState): ConsolePhase {
  switch (state) {
    case 'running':
    case 'paused':
    case 'stopping':
    case 'migrating':
      return 'on';
    case 'starting':
      return 'starting';
    case 'defined':
    case 'stopped':
    case 'crashed':
      return 'off';
  }
}

export type SessionStatus =
  | { kind: 'off'; phase: Exclude<ConsolePhase, 'on'> }
  | { kind: 'connecting' }
  | { kind: 'open' }
  /** Dropped unexpectedly; the next attempt is scheduled. */
  | { kind: 'retrying'; reason: string; attempt: number }
  /** Refused or dropped for good: the user decides (Reconnect). */
  | { kind: 'closed'; reason: string; code: number };

export interface SocketClose {
  code: number;
  reason: string;
}

export interface SessionCallbacks {
  /** The console is usable (for VNC: after the RFB handshake). */
  opened: () => void;
  /** The connection ended; `close` is the websocket's close frame (1006 when there was none). */
  closed: (close: SocketClose) => void;
}

/** Sets up one connection and returns its teardown (which must not report `closed`). */
export type Connect = (callbacks: SessionCallbacks) => () => void;

const MAX_RETRIES = 5;
const RETRY_FIRST_MS = 500;
const STABLE_MS = 5000;

/** Words for a close frame: the server's reason when it gave one. */
export function closeReason({ code, reason }: SocketClose): string {
  if (reason) return reason;
  if (code === 1006) return 'the connection was lost';
  if (code === 4404) return 'no such guest';
  if (code === 4409) return 'the guest is not running';
  // The server closes these without a reason: they are about what this page sent.
  if (code === 1009) return 'the server refused a message larger than this console takes';
  if (code === 1007) return 'the server refused text that was not valid UTF-8';
  return `the connection closed (code ${code})`;
}

/**
 * How many times a close is retried. Refusals (unknown guest 4404, wrong state 4409, a message too large
 * 1009 or not UTF-8 1007: the user should see why) and a guest that stopped are final; a single-viewer
 * console "open in another window" is retried briefly, since that is also what this page's own previous
 * socket looks like until the server has seen it close (tab switch, Reconnect); a drop for any other reason
 * (a reset, a slow viewer or guest, a network blip) is retried with backoff.
 */
function retryLimit({ code, reason }: SocketClose): number {
  if (code === 4409 && reason.includes('another window')) return 2;
  if (code === 4404 || code === 4409 || code === 1009 || code === 1007) return 0;
  if (code === 1000 && reason === 'guest stopped') return 0;
  return MAX_RETRIES;
}

/**
 * One console connection that follows the guest: connects while `phase` is `on`, again whenever
 * `generation` changes (a new qemu process after stop/start), retries unexpected drops a few times, and
 * offers `reconnect()` for the rest.
 */
export function useConsoleSession(phase: ConsolePhase, generation: string, connect: Connect) {
  const [attempt, setAttempt] = useState(0);
  const [report, setReport] = useState<{ token: string; status: SessionStatus } | null>(null);
  // Retries so far, counted per qemu process (a new process starts afresh).
  const retries = useRef({ generation, count: 0 });
  const token = `${generation}#${attempt}`;
  const enabled = phase === 'on';
  const connectNow = useEffectEvent(connect);

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let openedAt: number | null = null;
    const teardown = connectNow({
      opened: () => {
        if (!live) return;
        openedAt = performance.now();
        setReport({ token, status: { kind: 'open' } });
      },
      closed: (close) => {
        if (!live) return;
        live = false;
        // Only a connection that lasted earns a fresh set of retries (no loop against a quick refusal).
        const stable = openedAt !== null && performance.now() - openedAt > STABLE_MS;
        if (stable || retries.current.generation !== generation) retries.current = { generation, count: 0 };
        const reason = closeReason(close);
        const count = retries.current.count;
        if (count < retryLimit(close)) {
          retries.current.count = count + 1;
          const delay = RETRY_FIRST_MS * 2 ** count;
          setReport({ token, status: { kind: 'retrying', reason, attempt: count + 1 } });
          timer = setTimeout(() => setAttempt((a) => a + 1), delay);
        } else {
          setReport({ token, status: { kind: 'closed', reason, code: close.code } });
        }
      },
    });
    return () => {
      live = false;
      clearTimeout(timer);
      teardown();
    };
  }, [enabled, token, generation]);

  const status: SessionStatus =
    phase !== 'on'
      ? { kind: 'off', phase }
      : report?.token === token
        ? report.status
        : { kind: 'connecting' };

  const reconnect = () => {
    retries.current = { generation, count: 0 };
    setAttempt((a) => a + 1);
  };
  // A console that gave up because the connection was lost tries again once the server answers again
  // (the events socket came back: a server restart outlasted the retries).
  const lostConnection = status.kind === 'closed' && status.code === 1006;
  const serverBack = useEffectEvent(() => {
    if (lostConnection) reconnect();
  });
  useEffect(() => onServerBack(serverBack), []);
  return { status, reconnect };
}
