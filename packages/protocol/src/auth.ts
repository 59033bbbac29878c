import { z } from 'zod';

export const LoginRequestSchema = z.strictObject({
  password: z.string().min(1, 'password is empty').max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SessionInfoSchema = z.object({ user: z.literal('admin') });
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Name of the HttpOnly SameSite=Strict session cookie. */
export const SESSION_COOKIE = 'virtweb_session';
