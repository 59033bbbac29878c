// A websocket route refuses by throwing a domain error: the upgrade closes the accepted socket with the close
// code of its kind and its words (close-codes.ts); anything else is an internal error (1011), logged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { Revocations } from '../auth/revocations.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { Authenticator } from '../http/auth-middleware.ts';
import { CredentialSockets } from './credential-sockets.ts';
import { attachWebSockets, type WsRoute } from './upgrade.ts';

const admin: Principal = { kind: 'session', id: 's', scope: 'admin' };
const anyone = { check: () => admin } as unknown as Authenticator;

const route = (name: string, fail: () => never): WsRoute => ({
  pattern: new RegExp(`^/${name}$`),
  scope: 'read',
  maxPayload: 1024,
  handle: () => fail(),
});

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer();
  attachWebSockets(
    server,
    anyone,
    [
      route('gone', () => {
        throw new NotFound('VM 0123456789ab', 'no VM 0123456789ab');
      }),
      route('taken', () => {
        throw new Conflict('busy', 'the monitor is open in another window');
      }),
      route('broken', () => {
        throw new Error('a bug');
      }),
    ],
    new CredentialSockets(new Revocations()),
  );
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `ws://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(() => {
  server.close();
});

function closeOf(path: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`${base}${path}`);
  return new Promise((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

describe('a websocket route that refuses', () => {
  it('closes with the code of the domain error and its message', async () => {
    expect(await closeOf('/gone')).toEqual({ code: 4404, reason: 'no VM 0123456789ab' });
    expect(await closeOf('/taken')).toEqual({ code: 4409, reason: 'the monitor is open in another window' });
  });

  it('closes with 1011 for anything else, and logs it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await closeOf('/broken')).toEqual({ code: 1011, reason: 'internal error' });
      expect(logged).toHaveBeenCalledOnce();
    } finally {
      logged.mockRestore();
    }
  });
});
