import type { ApiErrorBody } from '@virtweb/protocol';

export type ApiErrorDetail = NonNullable<ApiErrorBody['error']['details']>[number];

/** Codes the web app adds to the server's `ErrorCode`s for failures that never reached a 4xx/5xx answer. */
export const ClientErrorCode = {
  /** fetch itself failed: server down, network gone (status 0). */
  network: 'network_error',
  /** The answer did not match the protocol schema: a contract drift between server and web app. */
  badResponse: 'bad_response',
} as const;

/**
 * The one error type of the web app (react-query's default error): an API error answer, a network failure
 * (status 0) or an answer that does not match the contract. `message` is meant for people.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: readonly ApiErrorDetail[];
  /** A 429's Retry-After: seconds to wait before trying again. */
  readonly retryAfterS: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details: readonly ApiErrorDetail[] = [],
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterS = options?.retryAfterS;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** Anything thrown inside the api layer, as an ApiError (so callers handle one type). */
export function toApiError(err: unknown, context: string): ApiError {
  if (isApiError(err)) return err;
  const message = err instanceof Error ? err.message : 'unknown failure';
  return new ApiError(0, ClientErrorCode.network, `${context}: ${message}`, [], { cause: err });
}

/** What to show of a refusal in one line: its first field's message, else the error's own. */
export function errorText(err: ApiError): string {
  return err.details[0]?.message ?? err.message;
}
