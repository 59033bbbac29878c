import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { Revocations } from '../auth/revocations.ts';
import { CredentialSockets } from './credential-sockets.ts';
import { WsClose } from './close-codes.ts';

/** What CredentialSockets uses of a socket; `answers` says whether it completes the close handshake. */
class FakeSocket extends EventEmitter {
  closes: { code: number; reason: string }[] = [];
  terminated = false;

  constructor(private readonly answers = true) {
    super();
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
    if (this.answers) this.emit('close');
  }

  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
}

const token = (id: string): Principal => ({ kind: 'token', id, scope: 'operate' });
const asWs = (s: FakeSocket): WebSocket => s as unknown as WebSocket;

afterEach(() => {
  vi.useRealTimers();
});

describe('CredentialSockets', () => {
  it("closes every open socket of a revoked credential (4401), and only that credential's", () => {
    const revocations = new Revocations();
    const open = new CredentialSockets(revocations);
    const [events, serial, other] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    open.track(token('t1'), asWs(events));
    open.track(token('t1'), asWs(serial));
    open.track(token('t2'), asWs(other));
    revocations.publish('session', 't1');
    expect(events.closes).toEqual([]);

    revocations.publish('token', 't1');
    expect(events.closes).toEqual([{ code: WsClose.revoked, reason: 'credential revoked' }]);
    expect(serial.closes).toEqual([{ code: WsClose.revoked, reason: 'credential revoked' }]);
    expect(other.closes).toEqual([]);
    // Closed sockets are forgotten.
    revocations.publish('token', 't1');
    expect(events.closes).toHaveLength(1);
  });

  it('closes a session socket when the session expires', () => {
    vi.useFakeTimers();
    const open = new CredentialSockets(new Revocations());
    const ws = new FakeSocket();
    open.track({ kind: 'session', id: 'h', scope: 'admin', expiresAt: Date.now() + 5000 }, asWs(ws));
    vi.advanceTimersByTime(4999);
    expect(ws.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ws.closes).toEqual([{ code: WsClose.revoked, reason: 'session expired' }]);
  });

  it('cuts off a client that does not answer the close within a second', () => {
    vi.useFakeTimers();
    const revocations = new Revocations();
    const open = new CredentialSockets(revocations);
    const deaf = new FakeSocket(false);
    open.track(token('t1'), asWs(deaf));
    revocations.publish('token', 't1');
    expect(deaf.terminated).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(deaf.terminated).toBe(true);
  });
});
