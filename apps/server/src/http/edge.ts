// What the HTTP edge refuses or cuts off before a route runs: malformed URLs, bodies that arrive too slowly,
// encodings a route does not take. Answers go through sendError, so a cut-off request also closes its socket.
import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type RequestHandler, type Response } from 'express';
import { ErrorCode, type ApiErrorBody } from '@virtweb/protocol';
import { bodyPending, HttpError, malformed, sendError } from './errors.ts';

/**
 * Express answers a request target it cannot parse (`GET http://[ HTTP/1.1`) with an HTML 404 before any
 * middleware runs: such a request gets the API's 400 here instead.
 */
export function refuseUnparsableTargets(app: RequestListener): RequestListener {
  return (req, res) => {
    if (URL.parse(req.url ?? '', 'http://localhost') !== null) {
      app(req, res);
      return;
    }
    const body: ApiErrorBody = { error: { code: ErrorCode.badRequest, message: 'malformed request target' } };
    res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
    res.end(JSON.stringify(body));
  };
}

/** 400 for a path with a malformed percent-escape (`/api/images/%E0%A4%A`), before any router decodes it. */
export const rejectMalformedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    next(malformed('the URL path has a malformed percent-escape'));
    return;
  }
  next();
};

/** For routes that never read a body (static files): an answer before the body arrived closes the socket. */
export const closeIfBodyPending: RequestHandler = (req, res, next) => {
  if (bodyPending(req)) res.setHeader('Connection', 'close');
  next();
};

/** Answers 408 (closing the connection) while the body is still arriving; just closes if already answering. */
function cutOff(req: IncomingMessage, res: Response, message: string): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  sendError(req, res, new HttpError(408, ErrorCode.requestTimeout, message));
  // NOTE: Node closes the socket after an answer with `Connection: close` but leaves a request whose answer is
  // sent waiting for the rest of its body: whoever reads it (an upload's pipeline) must learn it is over.
  req.socket.once('close', () => req.destroy());
  // A client that does not read the answer must not keep the socket either.
  setTimeout(() => req.socket.destroy(), 1000).unref();
}

const seconds = (ms: number): string => `${ms / 1000} s`;

/** A JSON body of at most `limit` bytes that must arrive whole within `deadlineMs` (a total deadline). */
export function jsonBody(limit: number, deadlineMs: number): RequestHandler[] {
  const limits: RequestHandler = (req, res, next) => {
    // Only a body the parser reads: other bodies (an upload) are the route's concern.
    if (!bodyPending(req) || !req.is('application/json')) {
      next();
      return;
    }
    // NOTE: body-parser reads a body it refuses for its length to the end before it answers; this does not.
    if (Number(req.headers['content-length']) > limit) {
      next(new HttpError(413, ErrorCode.tooLarge, `request body too large (at most ${limit} bytes)`));
      return;
    }
    const timer = setTimeout(() => {
      if (!req.complete) cutOff(req, res, `the request body did not arrive within ${seconds(deadlineMs)}`);
    }, deadlineMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
  return [limits, express.json({ limit })];
}

/**
 * An idle timeout for a streamed body (an upload): cut off when no byte arrived for `ms`, however long the
 * whole body takes. Lifted once the body has arrived, so the work after it (checks, fsync) may take its time.
 */
export function cutOffWhenIdle(req: IncomingMessage, res: Response, ms: number): void {
  // On the response: Node destroys the socket itself when only a complete request has a timeout listener.
  res.setTimeout(ms, () => {
    if (req.complete) return;
    // NOTE: a paused request waits for the disk (backpressure), not for the client: keep waiting.
    if (req.isPaused()) req.socket.setTimeout(ms);
    else cutOff(req, res, `no data arrived for ${seconds(ms)}`);
  });
  req.once('end', () => req.socket.setTimeout(0));
}

/** 415 unless the body is sent as is: a route that streams the raw body takes no Content-Encoding. */
export function refuseContentEncoding(req: IncomingMessage): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new HttpError(
      415,
      ErrorCode.unsupportedMediaType,
      `Content-Encoding ${encoding} is not supported here: send the bytes as they are`,
    );
  }
}
