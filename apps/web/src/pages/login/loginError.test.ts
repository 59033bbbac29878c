import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { loginErrorMessage } from './loginError.ts';

describe('loginErrorMessage', () => {
  it('names a wrong password, the wait after too many attempts, and anything else', () => {
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'wrong password'))).toBe(
      'Wrong password. Try again.',
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
