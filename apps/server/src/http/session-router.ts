import { Router, type Request, type Response } from 'express';
import {
  ErrorCode,
  LoginRequestSchema,
  SESSION_COOKIE,
  SetupRequestSchema,
  type SessionInfo,
  type SetupStatus,
} from '@virtweb/protocol';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { PasswordChecksBusyError } from '../auth/password.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { SetupCode } from '../auth/setup-code.ts';
import type { LoginResult, UserService } from '../auth/users.ts';
import { sessionToken } from './auth-middleware.ts';
import { HttpError, TooManyRequests } from './errors.ts';
import { parseOr400 } from './validate.ts';

const tooMany = (waitMs: number): TooManyRequests => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new TooManyRequests(seconds, `too many login attempts: try again in ${seconds} s`);
};

/**
 * Runs a credential check as one attempt of `client` (by address): 429 while it or everyone must wait. A
 * `false` from `check` counts as a failure; `'pending'` (the password was right, a TOTP code is still asked
 * for) neither resets the client nor makes it wait.
 */
async function checkThrottled<T extends boolean | 'pending'>(
  throttle: LoginThrottle,
  client: string,
  check: () => Promise<T>,
): Promise<T> {
  const refusal = throttle.admit(client);
  if (refusal) throw tooMany(refusal.retryAfterMs);
  let outcome: T;
  try {
    outcome = await check();
  } catch (err) {
    if (err instanceof PasswordChecksBusyError) throw tooMany(1000);
    throw err;
  }
  if (outcome === true) throttle.succeeded(client);
  else if (outcome === false) throttle.failed(client);
  return outcome;
}

const LOGIN_REFUSALS: Record<Exclude<LoginResult, { ok: true }>['reason'], HttpError> = {
  wrong_password: new HttpError(401, ErrorCode.unauthorized, 'wrong user name or password'),
  disabled: new HttpError(401, ErrorCode.unauthorized, 'this user is disabled: ask an admin'),
  totp_required: new HttpError(401, ErrorCode.totpRequired, 'enter the code of your authenticator app'),
  wrong_totp: new HttpError(401, ErrorCode.unauthorized, 'wrong authenticator code'),
};

const clientOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? '';

/**
 * `/api/session`: log in (POST), who am I (GET), log out (DELETE); `/api/session/setup`: whether the first
 * admin is still to be made, and making it with the setup code. Logins and setup codes are throttled per
 * client address (`req.ip`, which follows VIRTWEB_TRUST_PROXY) and globally, in one throttle.
 */
export function sessionRouter(
  sessions: SessionStore,
  users: UserService,
  setup: SetupCode | undefined,
  throttle = new LoginThrottle(),
): Router {
  const r = Router();
  const startSession = (req: Request, res: Response, userId: string): void => {
    const ua = req.headers['user-agent'];
    const { token, maxAgeMs } = sessions.create(userId, {
      address: clientOf(req),
      ...(ua === undefined ? {} : { userAgent: ua }),
    });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: maxAgeMs,
    });
  };

  r.get('/', (req, res) => {
    const principal = sessions.principal(sessionToken(req));
    const user = principal?.userId === undefined ? undefined : users.byId(principal.userId);
    if (!principal || !user) throw new HttpError(401, ErrorCode.unauthorized, 'log in first');
    const info: SessionInfo = { user: user.name, role: user.role, totp: user.totp_secret !== null };
    res.json(info);
  });
  r.post('/', async (req, res) => {
    const body = parseOr400(LoginRequestSchema, req.body);
    let result: LoginResult | undefined;
    await checkThrottled(throttle, clientOf(req), async () => {
      result = await users.login(body.username, body.password, body.totp);
      return result.ok || (result.reason === 'totp_required' ? 'pending' : false);
    });
    if (result === undefined) throw new Error('login: no result');
    if (!result.ok) throw LOGIN_REFUSALS[result.reason];
    startSession(req, res, result.user.id);
    res.status(204).end();
  });
  r.delete('/', (req, res) => {
    const token = sessionToken(req);
    if (!sessions.isValid(token)) throw new HttpError(401, ErrorCode.unauthorized, 'not logged in');
    sessions.revoke(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  const setupNeeded = (): boolean => setup?.active === true && users.count() === 0;
  r.get('/setup', (_req, res) => {
    const status: SetupStatus = { needed: setupNeeded() };
    res.json(status);
  });
  r.post('/setup', async (req, res) => {
    const body = parseOr400(SetupRequestSchema, req.body);
    if (!setupNeeded() || !setup)
      throw new HttpError(409, ErrorCode.conflict, 'this server already has users: log in instead');
    const right = await checkThrottled(throttle, clientOf(req), () =>
      Promise.resolve(setup.matches(body.code)),
    );
    if (!right) throw new HttpError(401, ErrorCode.unauthorized, 'wrong setup code: see the server log');
    // Used up before the hash is computed (which waits): a second request with the code finds it gone.
    setup.consume();
    const user = await users.create(body.name, body.password, 'admin');
    startSession(req, res, users.get(user.name).id);
    res.status(201).json(user);
  });
  return r;
}
