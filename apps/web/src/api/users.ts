import { z } from 'zod';
import {
  SessionSchema,
  TotpEnrolmentSchema,
  UserSchema,
  type ChangePasswordRequest,
  type CreateUserRequest,
  type Session,
  type TotpEnrolment,
  type UpdateUserRequest,
  type User,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const user = (name: string): string => `/api/users/${encodeURIComponent(name)}`;

export function listUsers(): Promise<User[]> {
  return requestJson('GET', '/api/users', z.array(UserSchema));
}

export function createUser(req: CreateUserRequest): Promise<User> {
  return requestJson('POST', '/api/users', UserSchema, req);
}

/** 409 `last_admin` when it would leave no enabled admin. */
export function updateUser(name: string, req: UpdateUserRequest): Promise<User> {
  return requestJson('PUT', user(name), UserSchema, req);
}

export function deleteUser(name: string): Promise<void> {
  return requestVoid('DELETE', user(name));
}

export function resetPassword(name: string, password: string): Promise<void> {
  return requestVoid('PUT', `${user(name)}/password`, { password });
}

export function removeUserTotp(name: string): Promise<void> {
  return requestVoid('DELETE', `${user(name)}/totp`);
}

/** 403 when the current password is wrong. */
export function changeOwnPassword(req: ChangePasswordRequest): Promise<void> {
  return requestVoid('PUT', '/api/account/password', req);
}

export function beginTotp(): Promise<TotpEnrolment> {
  return requestJson('POST', '/api/account/totp', TotpEnrolmentSchema);
}

/** 400 when the code does not match the new secret. */
export function confirmTotp(code: string): Promise<void> {
  return requestVoid('PUT', '/api/account/totp', { code });
}

export function removeOwnTotp(): Promise<void> {
  return requestVoid('DELETE', '/api/account/totp');
}

export function listSessions(): Promise<Session[]> {
  return requestJson('GET', '/api/sessions', z.array(SessionSchema));
}

export function endSession(id: string): Promise<void> {
  return requestVoid('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
}
