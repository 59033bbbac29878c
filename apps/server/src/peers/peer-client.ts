import { Readable } from 'node:stream';
import { fetch, type RequestInit, type Response } from 'undici';
import type { z } from 'zod';
import { ErrorCode } from '@virtweb/protocol';
import { errorAnswer, MAX_ANSWER_BYTES, parseJson, readCapped, tooLargeText } from './peer-answer.ts';
import { PinMismatchError, pinnedAgent } from './pinned-tls.ts';

/**
 * How a call to a peer failed: cannot connect, token refused, its certificate is not the pinned one
 * (`certificate`, with both fingerprints), or the peer answered with an error.
 */
export class PeerCallError extends Error {
  override name = 'PeerCallError';
  constructor(
    readonly kind: 'unreachable' | 'unauthorized' | 'certificate' | 'error',
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** The peer's own message of its error answer (`message` adds which peer said it). */
    readonly peerMessage?: string,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 5000;
/** After an upload the peer answers at once (it hashed while receiving): its answer gets this long. */
const UPLOAD_ANSWER_TIMEOUT_MS = 30_000;

/**
 * Calls another virtweb server's API with its token (`Authorization: Bearer`); answers are read up to a size
 * cap and checked with zod, and only a virtweb error answer's own message is ever quoted (see peer-answer.ts).
 * With a pin, an https:// peer must present the certificate of that SHA-256 fingerprint (no CA is asked).
 */
export class PeerClient {
  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly pin?: string,
  ) {}

  get<S extends z.ZodType>(
    path: string,
    schema: S,
    timeoutMs?: number,
    maxBytes?: number,
  ): Promise<z.output<S>> {
    return this.call('GET', path, schema, undefined, timeoutMs, maxBytes);
  }

  post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    timeoutMs?: number,
  ): Promise<z.output<S>> {
    return this.call('POST', path, schema, body, timeoutMs);
  }

  /**
   * One request; the timeout covers the answer's body too.
   * @throws PeerCallError
   */
  async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxBytes = MAX_ANSWER_BYTES,
  ): Promise<z.output<S>> {
    const target = this.endpoint(path);
    const stop = new AbortController();
    let res: Response;
    try {
      res = await this.fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
        redirect: 'error',
      });
    } catch (err) {
      throw this.failed(err, 'did not answer');
    }
    return this.answer(res, path, schema, maxBytes, () => stop.abort());
  }

  /**
   * Streams `length` bytes of `body` as a request body (`PUT /api/images/:name/upload`); no time limit, but
   * `signal` aborts it.
   * @throws PeerCallError
   */
  async upload<S extends z.ZodType>(
    path: string,
    body: Readable,
    length: number,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    const target = this.endpoint(path);
    const stop = new AbortController();
    let res: Response;
    try {
      res = await this.fetch(target, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          'content-type': 'application/octet-stream',
          'content-length': String(length),
        },
        body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: signal ? AbortSignal.any([stop.signal, signal]) : stop.signal,
        redirect: 'error',
      });
    } catch (err) {
      throw this.failed(err, 'did not take the upload');
    }
    const timer = setTimeout(() => stop.abort(), UPLOAD_ANSWER_TIMEOUT_MS);
    try {
      return await this.answer(res, path, schema, MAX_ANSWER_BYTES, () => stop.abort());
    } finally {
      clearTimeout(timer);
    }
  }

  /** fetch, through the pinning dispatcher when there is a pin. */
  private fetch(target: string, init: RequestInit): Promise<Response> {
    return fetch(target, this.pin === undefined ? init : { ...init, dispatcher: pinnedAgent(this.pin) });
  }

  /** Why a request got no answer: the certificate is not the pinned one, or the peer cannot be reached. */
  private failed(err: unknown, what: string): PeerCallError {
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause instanceof PinMismatchError) {
      return new PeerCallError(
        'certificate',
        `${this.url} presented another certificate than the one pinned when it was added: ` +
          `pinned ${cause.pinned}, presented ${cause.presented}. If that server got a new certificate, ` +
          'compare the new fingerprint with its Host page, then remove the peer and add it again',
        undefined,
        ErrorCode.peerCertificateMismatch,
      );
    }
    return new PeerCallError('unreachable', `${this.url} ${what}: ${causeOf(err)}`);
  }

  /** The URL of `path` on the peer; only http(s) (the schema refuses others too, this is the last door). */
  private endpoint(path: string): string {
    const target = `${this.url}${path}`;
    const protocol = URL.canParse(target) ? new URL(target).protocol : '';
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new PeerCallError('error', `${this.url} is not an http:// or https:// URL`);
    }
    return target;
  }

  private async answer<S extends z.ZodType>(
    res: Response,
    path: string,
    schema: S,
    maxBytes: number,
    abort: () => void,
  ): Promise<z.output<S>> {
    const body = await readCapped(res, maxBytes, abort);
    if (!body.ok) {
      if ('tooLarge' in body) {
        throw new PeerCallError('error', tooLargeText(`${this.url}${path}`, maxBytes), res.status);
      }
      throw new PeerCallError('unreachable', `${this.url} stopped answering: ${causeOf(body.error)}`);
    }
    const json = parseJson(body.text);
    if (!res.ok) {
      const { said, code, peerMessage } = errorAnswer(this.url, res.status, json);
      // Only a virtweb answer refuses a token; another service's 401 says nothing about it.
      const kind =
        (res.status === 401 || res.status === 403) && code !== undefined ? 'unauthorized' : 'error';
      const message =
        peerMessage === undefined
          ? said
          : kind === 'unauthorized'
            ? `${this.url} refused the token: ${said}`
            : `${this.url}: ${said}`;
      throw new PeerCallError(kind, message, res.status, code, peerMessage);
    }
    const parsed = schema.safeParse(res.status === 204 ? undefined : json);
    if (!parsed.success) {
      throw new PeerCallError(
        'error',
        `${this.url}${path} answered something that is not a virtweb API answer`,
      );
    }
    return parsed.data;
  }
}

/** fetch wraps the interesting part ("connect ECONNREFUSED ...") in `cause`. */
function causeOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause: unknown = err.cause;
    if (cause instanceof Error) return cause.name === 'TimeoutError' ? 'timed out' : cause.message;
    return err.message;
  }
  return String(err);
}
