import { Readable } from 'node:stream';
import { ApiErrorBodySchema } from '@virtweb/protocol';
import type { z } from 'zod';

/** How a call to a peer failed: cannot connect, token refused, or the peer answered with an error. */
export class PeerCallError extends Error {
  override name = 'PeerCallError';
  constructor(
    readonly kind: 'unreachable' | 'unauthorized' | 'error',
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

/** Calls another virtweb server's API with its token (`Authorization: Bearer`); answers are checked with zod. */
export class PeerClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  get<S extends z.ZodType>(path: string, schema: S, timeoutMs?: number): Promise<z.output<S>> {
    return this.call('GET', path, schema, undefined, timeoutMs);
  }

  post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    timeoutMs?: number,
  ): Promise<z.output<S>> {
    return this.call('POST', path, schema, body, timeoutMs);
  }

  /** @throws PeerCallError */
  async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<z.output<S>> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new PeerCallError('unreachable', `${this.url} did not answer: ${causeOf(err)}`);
    }
    return this.answer(res, path, schema);
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
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          'content-type': 'application/octet-stream',
          'content-length': String(length),
        },
        body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
        duplex: 'half',
        ...(signal ? { signal } : {}),
        redirect: 'error',
      });
    } catch (err) {
      throw new PeerCallError('unreachable', `${this.url} did not take the upload: ${causeOf(err)}`);
    }
    return this.answer(res, path, schema);
  }

  private async answer<S extends z.ZodType>(res: Response, path: string, schema: S): Promise<z.output<S>> {
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (!res.ok) {
      const apiError = ApiErrorBodySchema.safeParse(json);
      const said = apiError.success ? apiError.data.error.message : text.slice(0, 200) || res.statusText;
      const kind = res.status === 401 || res.status === 403 ? 'unauthorized' : 'error';
      throw new PeerCallError(
        kind,
        kind === 'unauthorized' ? `${this.url} refused the token: ${said}` : `${this.url}: ${said}`,
        res.status,
        apiError.success ? apiError.data.error.code : undefined,
        apiError.success ? apiError.data.error.message : undefined,
      );
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch wraps the interesting part ("connect ECONNREFUSED ...") in `cause`. */
function causeOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause: unknown = err.cause;
    if (cause instanceof Error) return cause.message;
    return err.message;
  }
  return String(err);
}
