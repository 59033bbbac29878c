import { z } from 'zod';

/** Every error answer of the API: `{ error: { code, message } }` with an HTTP 4xx/5xx status. */
export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** Machine-readable error codes the server uses. */
export const ErrorCode = {
  validation: 'validation_failed',
  unauthorized: 'unauthorized',
  /** 401: the password was right; this user also needs an authenticator code (`totp`) to log in. */
  totpRequired: 'totp_required',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  wrongState: 'wrong_state',
  inUse: 'in_use',
  exists: 'already_exists',
  qemuFailed: 'qemu_failed',
  /** 409: qemu exited while the operation ran (killed, crashed, or powered off meanwhile); the VM shows how. */
  guestDied: 'guest_died',
  /** qemu's unprivileged user is missing, or cannot be given access to a file qemu must open. */
  qemuUser: 'qemu_user',
  tooLarge: 'too_large',
  /** 429: too many (failed) logins; the answer's Retry-After header says how many seconds to wait. */
  tooManyRequests: 'too_many_requests',
  /** 415: a Content-Encoding or Content-Type the route does not take. */
  unsupportedMediaType: 'unsupported_media_type',
  /** 408: the request body did not arrive in time. */
  requestTimeout: 'request_timeout',
  /** Any other 4xx refusal of a malformed request (an HTTP-level error, not a field of the body). */
  badRequest: 'bad_request',
  /** A peer speaks another migration protocol (`MIGRATION_PROTOCOL_VERSION`); the message says which to update. */
  migrationVersionMismatch: 'migration_version_mismatch',
  /** 409: a peer presented another certificate than the one pinned when it was added; both fingerprints said. */
  peerCertificateMismatch: 'peer_certificate_mismatch',
  internal: 'internal',
} as const;
