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
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  wrongState: 'wrong_state',
  inUse: 'in_use',
  exists: 'already_exists',
  qemuFailed: 'qemu_failed',
  tooLarge: 'too_large',
  /** A peer speaks another migration protocol (`MIGRATION_PROTOCOL_VERSION`); the message says which to update. */
  migrationVersionMismatch: 'migration_version_mismatch',
  internal: 'internal',
} as const;
