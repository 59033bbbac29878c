import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { ErrorCode, SESSION_COOKIE } from '@virtweb/protocol';
import type { SessionStore } from '../auth/sessions.ts';
import { readCookie } from './cookies.ts';
import { HttpError } from './errors.ts';

/** The session token of a request (REST or websocket upgrade), if any. */
export function sessionToken(req: IncomingMessage): string | undefined {
  return readCookie(req.headers.cookie, SESSION_COOKIE);
}

/** Answers 401 for every request without a valid session cookie. */
export function requireSession(sessions: SessionStore): RequestHandler {
  return (req, _res, next) => {
    if (sessions.isValid(sessionToken(req))) next();
    else next(new HttpError(401, ErrorCode.unauthorized, 'log in first'));
  };
}
