import { z } from 'zod';

export const LoginRequestSchema = z.strictObject({
  // NOTE: scrypt's HMAC pads a short key with zero bytes, so "pw\0" would hash as "pw" does: control
  // characters (which no password field can type) are refused rather than compared.
  password: z
    .string()
    .min(1, 'password is empty')
    .max(1024)
    .refine((p) => !hasControl(p), 'password must not contain control characters'),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SessionInfoSchema = z.object({ user: z.literal('admin') });
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Name of the HttpOnly SameSite=Strict session cookie. */
export const SESSION_COOKIE = 'virtweb_session';

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
