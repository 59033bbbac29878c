import { ErrorCode } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';

/**
 * What the login form says when a login failed: wrong password, a disabled user, a wrong authenticator
 * code, too many attempts (with the wait), other.
 */
export function loginErrorMessage(error: ApiError): string {
  if (error.status === 401 && error.code === ErrorCode.totpRequired)
    return 'Enter the code of your authenticator app.';
  if (error.status === 401) {
    if (/disabled/.test(error.message)) return 'This user is disabled. Ask an admin.';
    if (/authenticator code/.test(error.message)) return 'Wrong code. Try the next one.';
    if (/setup code/.test(error.message)) return 'Wrong setup code: see the server log.';
    return 'Wrong password or user name. Try again.';
  }
  if (error.status === 429) {
    const wait = error.retryAfterS === undefined ? 'a moment' : waitText(error.retryAfterS);
    return `Too many login attempts. Try again in ${wait}.`;
  }
  return `Could not log in: ${error.message}`;
}

function waitText(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
