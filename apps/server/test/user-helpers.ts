// Users on a test server: made through the admin's API, logged in by name (and TOTP code) for a cookie.
import WebSocket from 'ws';
import { apiError, type TestServer } from './harness.ts';

export type Role = 'read' | 'operate' | 'admin';

/** Makes a user through the logged-in admin's API. */
export async function makeUser(
  server: TestServer,
  name: string,
  role: Role,
  password: string,
): Promise<void> {
  const res = await server.api('POST', '/api/users', { name, password, role });
  if (res.status !== 201) throw new Error(`make user: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Logs a user in; the status and, on a 204, the session cookie. */
export async function loginAs(
  server: TestServer,
  username: string,
  password: string,
  totp?: string,
): Promise<{ status: number; cookie: string; code?: string }> {
  const res = await server.api('POST', '/api/session', { username, password, ...(totp ? { totp } : {}) }, '');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return res.status === 204
    ? { status: 204, cookie }
    : { status: res.status, cookie, code: apiError(res.body).code };
}

/** Logs a user in, or throws. @returns the session cookie */
export async function cookieOf(server: TestServer, username: string, password: string): Promise<string> {
  const res = await loginAs(server, username, password);
  if (res.status !== 204) throw new Error(`login ${username}: ${res.status} ${res.code ?? ''}`);
  return res.cookie;
}

/**
 * The status of a websocket upgrade with these headers, and its error message when refused; an accepted
 * socket is closed (and its closing handshake done) before this resolves.
 */
export function upgradeWith(
  server: TestServer,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; message?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + path, { headers });
    ws.once('open', () => {
      ws.once('close', () => resolve({ status: 101 }));
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, message: apiError(JSON.parse(text)).message }),
      );
    });
    ws.once('error', reject);
  });
}
