import type { ApiError } from '../../api/errors.ts';

/** What the login form says when a login failed: wrong password, too many attempts (with the wait), other. */
export function loginErrorMessage(error: ApiError): string {
  if (error.status === 401) return 'Wrong password. Try again.';
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
