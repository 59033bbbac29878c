import { Router } from 'express';
import { ErrorCode, LoginRequestSchema, SESSION_COOKIE } from '@virtweb/protocol';
import { checkAdminPassword } from '../auth/admin-password.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { PasswordChecksBusyError } from '../auth/password.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';
import { sessionToken } from './auth-middleware.ts';
import { HttpError, TooManyRequests } from './errors.ts';
import { parseOr400 } from './validate.ts';

const tooMany = (waitMs: number): TooManyRequests => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new TooManyRequests(seconds, `too many login attempts: try again in ${seconds} s`);
};

/** True when `password` is the admin's; 429 while the client (by address) or everyone must wait. */
async function checkThrottled(
  throttle: LoginThrottle,
  client: string,
  check: () => Promise<boolean>,
): Promise<boolean> {
  const refusal = throttle.admit(client);
  if (refusal) throw tooMany(refusal.retryAfterMs);
  let right: boolean;
  try {
    right = await check();
  } catch (err) {
    if (err instanceof PasswordChecksBusyError) throw tooMany(1000);
    throw err;
  }
  if (right) throttle.succeeded(client);
  else throttle.failed(client);
  return right;
}

/**
 * `/api/session`: log in (POST), who am I (GET), log out (DELETE). Logins are throttled per client address
 * (`req.ip`, which follows VIRTWEB_TRUST_PROXY) and globally.
 */
export function sessionRouter(
  sessions: SessionStore,
  settings: SettingsRepo,
  throttle = new LoginThrottle(),
): Router {
  const r = Router();
  r.get('/', (req, res) => {
    if (!sessions.isValid(sessionToken(req)))
      throw new HttpError(401, ErrorCode.unauthorized, 'log in first');
    res.json({ user: 'admin' });
  });
  r.post('/', async (req, res) => {
    const { password } = parseOr400(LoginRequestSchema, req.body);
    const client = req.ip ?? req.socket.remoteAddress ?? '';
    if (!(await checkThrottled(throttle, client, () => checkAdminPassword(settings, password)))) {
      throw new HttpError(401, ErrorCode.unauthorized, 'wrong password');
    }
    const { token, maxAgeMs } = sessions.create();
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: maxAgeMs,
    });
    res.status(204).end();
  });
  r.delete('/', (req, res) => {
    const token = sessionToken(req);
    if (!sessions.isValid(token)) throw new HttpError(401, ErrorCode.unauthorized, 'not logged in');
    sessions.revoke(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  return r;
}
