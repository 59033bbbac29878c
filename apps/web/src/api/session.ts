import {
  SessionInfoSchema,
  SetupStatusSchema,
  UserSchema,
  type LoginRequest,
  type SessionInfo,
  type SetupRequest,
  type SetupStatus,
} from '@virtweb/protocol';
import { isApiError } from './errors.ts';
import { requestJson, requestVoid } from './http.ts';

/** The current session, or null when the browser has no (valid) session cookie. */
export async function getSession(): Promise<SessionInfo | null> {
  try {
    return await requestJson('GET', '/api/session', SessionInfoSchema);
  } catch (err) {
    if (isApiError(err) && err.status === 401) return null;
    throw err;
  }
}

/** Logs in; the server sets the HttpOnly session cookie. Throws ApiError 401 for a wrong password. */
export function login(req: LoginRequest): Promise<void> {
  return requestVoid('POST', '/api/session', req);
}

/** Logs out; a session that has already ended (401) counts as logged out. */
export async function logout(): Promise<void> {
  try {
    await requestVoid('DELETE', '/api/session');
  } catch (err) {
    if (isApiError(err) && err.status === 401) return;
    throw err;
  }
}

/** Whether the first admin is still to be made with the setup code (a real install's first run). */
export function getSetupStatus(): Promise<SetupStatus> {
  return requestJson('GET', '/api/session/setup', SetupStatusSchema);
}

/** Makes the first admin with the setup code from the server's log; logs in as it. */
export async function setupFirstAdmin(req: SetupRequest): Promise<void> {
  await requestJson('POST', '/api/session/setup', UserSchema, req);
}
