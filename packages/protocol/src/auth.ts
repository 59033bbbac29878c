import { z } from 'zod';

/**
 * What a user may do: the API token scopes of the same names and rights (see TokenScopeSchema), without
 * `peer`, which is for servers only. `admin` ⊇ `operate` ⊇ `read`.
 */
export const UserRoleSchema = z.enum(['read', 'operate', 'admin'], {
  error: 'choose a role: read, operate or admin',
});
export type UserRole = z.infer<typeof UserRoleSchema>;

/** A user name: lower-case letters, digits, `.`, `_`, `-`, starting with a letter (as Unix names go). */
export const UsernameSchema = z
  .string()
  .min(1, 'user name is empty')
  .max(32, 'user name is longer than 32 characters')
  .regex(/^[a-z][a-z0-9._-]*$/, 'user name: a-z 0-9 . _ - only, starting with a letter');

// NOTE: scrypt's HMAC pads a short key with zero bytes, so "pw\0" would hash as "pw" does: control
// characters (which no password field can type) are refused rather than compared.
export const PasswordSchema = z
  .string()
  .min(1, 'password is empty')
  .max(1024)
  .refine((p) => !hasControl(p), 'password must not contain control characters');

/** A password being set (not one being checked): long enough to mean something. */
export const NewPasswordSchema = PasswordSchema.refine(
  (p) => p.length >= 8,
  'password is shorter than 8 characters',
);

/** A 6-digit code of an authenticator app (RFC 6238 TOTP). */
export const TotpCodeSchema = z.string().regex(/^\d{6}$/, 'the code is 6 digits');

export const LoginRequestSchema = z.strictObject({
  /** Default `admin` (the single user of the quick start and of scripts written before users existed). */
  username: UsernameSchema.default('admin'),
  password: PasswordSchema,
  /** The authenticator code, for a user with TOTP (asked for after a 401 `totp_required`). */
  totp: TotpCodeSchema.optional(),
});
export type LoginRequest = z.input<typeof LoginRequestSchema>;

/** Who is logged in (GET /api/session). */
export const SessionInfoSchema = z.object({
  user: z.string(),
  role: UserRoleSchema,
  /** Whether this user logs in with an authenticator code. */
  totp: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Name of the HttpOnly SameSite=Strict session cookie. */
export const SESSION_COOKIE = 'virtweb_session';

/** True when `text` holds a C0 control character or DEL. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
