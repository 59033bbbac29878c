import { z } from 'zod';
import { NewPasswordSchema, PasswordSchema, TotpCodeSchema, UsernameSchema, UserRoleSchema } from './auth.ts';

/** A user as the Users page shows it (never its password hash or TOTP secret). */
export const UserSchema = z.object({
  name: z.string(),
  role: UserRoleSchema,
  disabled: z.boolean(),
  totp: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

export const CreateUserRequestSchema = z.strictObject({
  name: UsernameSchema,
  password: NewPasswordSchema,
  role: UserRoleSchema,
});
export type CreateUserRequest = z.input<typeof CreateUserRequestSchema>;

/** An admin's change to a user: its role, or whether it may log in. */
export const UpdateUserRequestSchema = z
  .strictObject({ role: UserRoleSchema.optional(), disabled: z.boolean().optional() })
  .refine((r) => r.role !== undefined || r.disabled !== undefined, 'say what to change: role or disabled');
export type UpdateUserRequest = z.input<typeof UpdateUserRequestSchema>;

/** An admin sets another user's password (the user's sessions end). */
export const ResetPasswordRequestSchema = z.strictObject({ password: NewPasswordSchema });
export type ResetPasswordRequest = z.input<typeof ResetPasswordRequestSchema>;

/** A user changes their own password: the current one proves it is them. */
export const ChangePasswordRequestSchema = z.strictObject({
  currentPassword: PasswordSchema,
  newPassword: NewPasswordSchema,
});
export type ChangePasswordRequest = z.input<typeof ChangePasswordRequestSchema>;

/** The start of a TOTP enrolment: scan the QR code (or type the secret), then confirm with a first code. */
export const TotpEnrolmentSchema = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** The `otpauth://totp/...` URI the QR code holds. */
  uri: z.string(),
  /** The QR code as an SVG data URL (`data:image/svg+xml;base64,...`). */
  qrCode: z.string(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const TotpCodeRequestSchema = z.strictObject({ code: TotpCodeSchema });
export type TotpCodeRequest = z.input<typeof TotpCodeRequestSchema>;

/** A login session as listed (its cookie is never shown; `id` names it for revoking). */
export const SessionSchema = z.object({
  id: z.string(),
  user: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** The client address it logged in from. */
  address: z.string().optional(),
  userAgent: z.string().optional(),
  /** The session this list was asked for with. */
  current: z.boolean(),
});
export type Session = z.infer<typeof SessionSchema>;

/** Whether the first visit must create the admin (a real install's first run, guarded by a setup code). */
export const SetupStatusSchema = z.object({ needed: z.boolean() });
export type SetupStatus = z.infer<typeof SetupStatusSchema>;

export const SetupRequestSchema = z.strictObject({
  /** The one-time code the server printed to its log. */
  code: z.string().min(1, 'the setup code is empty').max(64),
  name: UsernameSchema,
  password: NewPasswordSchema,
});
export type SetupRequest = z.input<typeof SetupRequestSchema>;
