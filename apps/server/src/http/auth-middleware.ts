import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { ErrorCode, SESSION_COOKIE } from '@virtweb/protocol';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { readCookie } from './cookies.ts';
import { HttpError } from './errors.ts';

/** The session token of a request (REST or websocket upgrade), if any. */
export function sessionToken(req: IncomingMessage): string | undefined {
  return readCookie(req.headers.cookie, SESSION_COOKIE);
}

/** The API token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Who may call the API: a logged-in browser (session cookie) or a holder of an API token (a peer, a script). */
export class Authenticator {
  constructor(
    private readonly sessions: SessionStore,
    private readonly tokens: ApiTokenStore,
  ) {}

  /** How the request is authenticated, or undefined when it is not. */
  check(req: IncomingMessage): 'session' | 'token' | undefined {
    if (this.sessions.isValid(sessionToken(req))) return 'session';
    const bearer = bearerToken(req);
    if (bearer !== undefined && this.tokens.verify(bearer) !== undefined) return 'token';
    return undefined;
  }
}

/** Answers 401 for every request without a valid session cookie or API token. */
export function requireAuth(auth: Authenticator): RequestHandler {
  return (req, res, next) => {
    const how = auth.check(req);
    res.locals.auth = how;
    if (how) next();
    else
      next(
        new HttpError(
          401,
          ErrorCode.unauthorized,
          'log in first (or send an API token as Authorization: Bearer)',
        ),
      );
  };
}

/** For routes a token must not reach (managing tokens and peers): only a logged-in browser. */
export const requireBrowserSession: RequestHandler = (_req, res, next) => {
  if (res.locals.auth === 'session') next();
  else next(new HttpError(403, ErrorCode.forbidden, 'only a logged-in user can manage tokens and peers'));
};
