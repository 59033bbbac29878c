import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { ErrorCode, type ApiErrorBody } from '@virtweb/protocol';

/** An error with an HTTP status that the error handler turns into `{error:{code,message}}`. */
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
export const conflict = (code: string, message: string): HttpError => new HttpError(409, code, message);
export const badRequest = (message: string, details?: { path: string; message: string }[]): HttpError =>
  new HttpError(400, ErrorCode.validation, message, details);

/** Turns zod issues into a 400 with one line per field. */
export function validationError(error: z.ZodError): HttpError {
  const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return badRequest(`invalid request: ${summary}`, details);
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** The one error handler: known errors keep their status, anything else is a logged 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  let httpError: HttpError;
  if (err instanceof HttpError) httpError = err;
  else if (isBodyParserError(err) && err.type === 'entity.parse.failed') {
    httpError = badRequest('request body is not valid JSON');
  } else if (isBodyParserError(err) && err.type === 'entity.too.large') {
    httpError = new HttpError(413, ErrorCode.tooLarge, 'request body too large');
  } else {
    console.error('virtweb: internal error', err);
    httpError = new HttpError(500, ErrorCode.internal, 'internal server error (see the server log)');
  }
  const body: ApiErrorBody = {
    error: {
      code: httpError.code,
      message: httpError.message,
      ...(httpError.details ? { details: httpError.details } : {}),
    },
  };
  res.status(httpError.status).json(body);
};

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && 'type' in err;
}
