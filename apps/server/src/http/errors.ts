import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import { ErrorCode, type ApiErrorBody } from '@virtweb/protocol';
import { DomainError, PeerRefused, type DomainErrorKind } from '../domain/errors.ts';

/**
 * An error with an HTTP status that the error handler turns into `{error:{code,message}}`: the HTTP-level
 * errors of the edge itself (a malformed URL or body, a missing credential). Services throw DomainErrors.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError =>
  new HttpError(404, ErrorCode.notFound, `${what} not found`);
export const badRequest = (message: string, details?: { path: string; message: string }[]): HttpError =>
  new HttpError(400, ErrorCode.validation, message, details);
/** A 400 for a request malformed at the HTTP level (its URL, its encoding), not in the fields of its body. */
export const malformed = (message: string): HttpError => new HttpError(400, ErrorCode.badRequest, message);

/** The status of each kind of domain error: the one place where what services say becomes HTTP. */
const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  throttled: 429,
  hostFault: 500,
  unavailable: 502,
  // A peer's refusal keeps the peer's own 4xx (below); anything else it said is a peer failing.
  peerRefused: 502,
  noSpace: 507,
};

/** A service's error as the HTTP answer: its kind's status, its code, message and details. */
export function httpErrorOf(err: DomainError): HttpError {
  const relayed = err instanceof PeerRefused && err.peerStatus >= 400 && err.peerStatus <= 499;
  const status = relayed ? err.peerStatus : STATUS_OF_KIND[err.kind];
  return new HttpError(status, err.code, err.message, err.details);
}

/** A 429: the client must wait `retryAfterS` seconds (sent as Retry-After). */
export class TooManyRequests extends HttpError {
  constructor(
    readonly retryAfterS: number,
    message: string,
  ) {
    super(429, ErrorCode.tooManyRequests, message);
  }
}

/** An error of express, body-parser or http-errors: `status`/`statusCode` and what went wrong in `type`. */
interface StatusError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

const CODE_OF_STATUS: Partial<Record<number, string>> = {
  404: ErrorCode.notFound,
  408: ErrorCode.requestTimeout,
  413: ErrorCode.tooLarge,
  415: ErrorCode.unsupportedMediaType,
};

/** A library's 4xx (a body that is not JSON, too large, in an unknown encoding; a bad escape) as an HttpError. */
function fromLibraryError(err: unknown, req: IncomingMessage): HttpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as StatusError;
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (e.type === 'entity.parse.failed') return badRequest('request body is not valid JSON');
  if (e.type === 'entity.too.large') return new HttpError(413, ErrorCode.tooLarge, 'request body too large');
  const said = e.expose === true && typeof e.message === 'string' ? e.message : `HTTP ${status}`;
  const encoding = req.headers['content-encoding'];
  if (status === 400 && e.type === undefined && encoding !== undefined) {
    return malformed(`the request body is not valid ${encoding}: ${said}`);
  }
  return new HttpError(status, CODE_OF_STATUS[status] ?? ErrorCode.badRequest, said);
}

/**
 * True while a request's body has not fully arrived. An answer sent then closes the connection: the server does
 * not read a body it refused, and a slow or huge one must not keep the socket.
 */
export function bodyPending(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  return hasBody && !req.complete;
}

/** Sends `{error:{code,message,details?}}` with the error's status (and Retry-After for a 429). */
export function sendError(req: IncomingMessage, res: Response, httpError: HttpError): void {
  const body: ApiErrorBody = {
    error: {
      code: httpError.code,
      message: httpError.message,
      ...(httpError.details ? { details: httpError.details } : {}),
    },
  };
  // For the task log (task-recorder.ts): the code and message of what went wrong.
  res.locals.answeredError = { code: httpError.code, message: httpError.message };
  if (httpError instanceof TooManyRequests) res.setHeader('Retry-After', String(httpError.retryAfterS));
  if (bodyPending(req)) res.setHeader('Connection', 'close');
  res.status(httpError.status).json(body);
}

/** The one error handler: known errors get their status, anything else is a logged 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const httpError =
    err instanceof HttpError
      ? err
      : err instanceof DomainError
        ? httpErrorOf(err)
        : fromLibraryError(err, req);
  // A client that broke off (or was cut off) makes its request's reader fail: nothing to log.
  const clientGone = req.socket.destroyed || (req.destroyed && !req.complete);
  if (!httpError && !clientGone) console.error('virtweb: internal error', err);
  if (res.headersSent || clientGone) {
    // Too late for an answer (e.g. a body cut off after its 408): only the connection can go.
    req.socket.destroy();
    return;
  }
  sendError(
    req,
    res,
    httpError ?? new HttpError(500, ErrorCode.internal, 'internal server error (see the server log)'),
  );
};
