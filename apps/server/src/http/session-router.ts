import { Router } from 'express';
import { ErrorCode, LoginRequestSchema, SESSION_COOKIE } from '@virtweb/protocol';
import { checkAdminPassword } from '../auth/admin-password.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';
import { sessionToken } from './auth-middleware.ts';
import { HttpError } from './errors.ts';
import { parseOr400 } from './validate.ts';

const FAILED_LOGIN_DELAY_MS = 500;

/** `/api/session`: log in (POST), who am I (GET), log out (DELETE). */
export function sessionRouter(sessions: SessionStore, settings: SettingsRepo): Router {
  const r = Router();
  r.get('/', (req, res) => {
    if (!sessions.isValid(sessionToken(req)))
      throw new HttpError(401, ErrorCode.unauthorized, 'log in first');
    res.json({ user: 'admin' });
  });
  r.post('/', async (req, res) => {
    const { password } = parseOr400(LoginRequestSchema, req.body);
    if (!(await checkAdminPassword(settings, password))) {
      // A fixed delay makes guessing slow without keeping per-client state.
      await new Promise((resolve) => setTimeout(resolve, FAILED_LOGIN_DELAY_MS));
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
    sessions.revoke(sessionToken(req));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  return r;
}
