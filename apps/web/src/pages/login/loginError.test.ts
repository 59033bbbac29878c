import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { loginErrorMessage } from './loginError.ts';

describe('loginErrorMessage', () => {
  it('names a wrong password, the wait after too many attempts, and anything else', () => {
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'wrong user name or password'))).toBe(
      'Wrong password or user name. Try again.',
    );
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'this user is disabled: ask an admin'))).toBe(
      'This user is disabled. Ask an admin.',
    );
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'wrong authenticator code'))).toBe(
      'Wrong code. Try the next one.',
    );
    expect(loginErrorMessage(new ApiError(401, 'totp_required', 'enter the code'))).toBe(
      'Enter the code of your authenticator app.',
    );
    const tooMany = (s?: number) =>
      loginErrorMessage(
        new ApiError(429, 'too_many_requests', 'x', [], s === undefined ? {} : { retryAfterS: s }),
      );
    expect(tooMany(1)).toBe('Too many login attempts. Try again in 1 second.');
    expect(tooMany(8)).toBe('Too many login attempts. Try again in 8 seconds.');
    expect(tooMany(900)).toBe('Too many login attempts. Try again in 15 minutes.');
    expect(tooMany()).toBe('Too many login attempts. Try again in a moment.');
    expect(loginErrorMessage(new ApiError(0, 'network_error', 'server down'))).toBe(
      'Could not log in: server down',
    );
  });
});
