import { prettifyError, type ZodType } from 'zod';
import { ApiErrorBodySchema, ErrorCode } from '@virtweb/protocol';
import { ApiError, ClientErrorCode, toApiError } from './errors.ts';

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

/**
 * Sends one request to the same-origin API; throws ApiError for anything but a 2xx answer.
 * NOTE: every request but GET says `Content-Type: application/json`, with a body or not: the server refuses
 * others made with the session cookie (a cross-site form can send only form and text types).
 */
async function send(method: Method, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw toApiError(err, `${method} ${path} failed (is the server running?)`);
  }
  if (!res.ok) throw await errorFrom(res, method, path);
  return res;
}

async function errorFrom(res: Response, method: Method, path: string): Promise<ApiError> {
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  const parsed = ApiErrorBodySchema.safeParse(json);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    const retryAfter = Number(res.headers.get('Retry-After') ?? '');
    const options = Number.isInteger(retryAfter) && retryAfter > 0 ? { retryAfterS: retryAfter } : {};
    return new ApiError(res.status, code, message, details ?? [], options);
  }
  const code = res.status === 401 ? ErrorCode.unauthorized : `http_${res.status}`;
  const text = res.statusText || 'error';
  return new ApiError(res.status, code, `${method} ${path}: ${res.status} ${text}`);
}

/** A request whose answer body is validated with `schema` (a drift from the contract throws ApiError). */
export async function requestJson<T>(
  method: Method,
  path: string,
  schema: ZodType<T>,
  body?: unknown,
): Promise<T> {
  const res = await send(method, path, body);
  let json: unknown;
  try {
    json = await res.json();
  } catch (err) {
    throw new ApiError(
      res.status,
      ClientErrorCode.badResponse,
      `${method} ${path}: the answer is not JSON`,
      [],
      {
        cause: err,
      },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(
      res.status,
      ClientErrorCode.badResponse,
      `${method} ${path}: unexpected answer from the server\n${prettifyError(parsed.error)}`,
      [],
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** A request answered with no body of interest (204). */
export async function requestVoid(method: Method, path: string, body?: unknown): Promise<void> {
  await send(method, path, body);
}

/** A request whose answer is binary (an image); checks the content type so an error page is never saved. */
export async function requestBlob(method: Method, path: string, contentType: string): Promise<Blob> {
  const res = await send(method, path);
  const type = res.headers.get('Content-Type') ?? '';
  if (!type.startsWith(contentType)) {
    throw new ApiError(
      res.status,
      ClientErrorCode.badResponse,
      `${method} ${path}: expected ${contentType}, got ${type || 'no content type'}`,
    );
  }
  try {
    return await res.blob();
  } catch (err) {
    throw toApiError(err, `${method} ${path}: reading the answer failed`);
  }
}

/** `ws://` or `wss://` URL of a same-origin websocket path. */
export function wsUrl(path: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}${path}`;
}
