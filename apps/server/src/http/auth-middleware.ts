import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { ErrorCode, SESSION_COOKIE } from '@virtweb/protocol';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import { allows, scopeWords, type Principal } from '../auth/principal.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { readCookie } from './cookies.ts';
import { csrfRefusal } from './csrf.ts';
import { HttpError } from './errors.ts';
import { needsOf, sessionOnly, type RouteNeed } from './route-scopes.ts';

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

  /**
   * Who the request is from, or undefined when its credential is missing or invalid. A request with a Bearer
   * token is judged by it alone (a cookie that comes along does not count).
   * NOTE: only the Bearer scheme: a reverse proxy's Basic auth makes browsers send `Authorization: Basic`.
   */
  check(req: IncomingMessage): Principal | undefined {
    if (/^Bearer\b/i.test(req.headers.authorization ?? '')) {
      const bearer = bearerToken(req);
      return bearer === undefined ? undefined : this.tokens.verify(bearer);
    }
    return this.sessions.principal(sessionToken(req));
  }
}

/** True when `principal` may use a route that needs `needs`. */
export function satisfies(principal: Principal, needs: RouteNeed): boolean {
  if (sessionOnly(needs)) return principal.kind === 'session' && allows(principal.scope, needs.session);
  return needs.some((scope) => allows(principal.scope, scope));
}

/**
 * The 403 for a principal whose scope or role is too small (or a token where only a logged-in user may go),
 * naming what is needed: "needs the operate role (user ann has read)".
 */
export function scopeRefusal(what: string, principal: Principal, needs: RouteNeed): HttpError {
  const needed = sessionOnly(needs) ? [needs.session] : needs;
  const has =
    principal.kind === 'session'
      ? `user ${principal.user ?? '?'} has ${principal.scope}`
      : `this token has ${principal.scope}`;
  const message =
    sessionOnly(needs) && principal.kind === 'token'
      ? `${what} is only for a logged-in user, not for API tokens`
      : `${what} needs ${scopeWords(needed, principal.kind)} (${has})`;
  return new HttpError(403, ErrorCode.forbidden, message);
}

/**
 * The API's guard, in this order: a valid session cookie or API token (401); for the cookie, a request that
 * shows it comes from this server's page (403, see csrfRefusal); the scope the route needs by ROUTE_SCOPES
 * (403 naming it). The principal is left in `res.locals.principal`.
 */
export function requireAuth(auth: Authenticator): RequestHandler {
  return (req, res, next) => {
    const principal = auth.check(req);
    if (!principal) {
      next(
        new HttpError(
          401,
          ErrorCode.unauthorized,
          'log in first (or send an API token as Authorization: Bearer)',
        ),
      );
      return;
    }
    const path = req.baseUrl + req.path;
    const csrf =
      principal.kind === 'session'
        ? csrfRefusal({ method: req.method, path, headers: req.headers })
        : undefined;
    if (csrf !== undefined) {
      next(new HttpError(403, ErrorCode.forbidden, csrf));
      return;
    }
    const needs = needsOf(req.method, path);
    if (!satisfies(principal, needs)) {
      next(scopeRefusal(`${req.method} ${path}`, principal, needs));
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

/** The principal requireAuth found for this request. @throws Error when requireAuth did not run */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (principal === undefined) throw new Error('principalOf: the route is not behind requireAuth');
  return principal;
}

/** For the routes before authentication (logging in and out): refuses a cross-site request (403). */
export const refuseCrossSite: RequestHandler = (req, _res, next) => {
  // Logging out without the cookie changes nothing: the route answers 401.
  if (req.method === 'DELETE' && sessionToken(req) === undefined) {
    next();
    return;
  }
  const login = req.method === 'POST';
  const csrf = csrfRefusal(
    { method: req.method, path: req.baseUrl + req.path, headers: req.headers },
    !login,
  );
  next(csrf === undefined ? undefined : new HttpError(403, ErrorCode.forbidden, csrf));
};
