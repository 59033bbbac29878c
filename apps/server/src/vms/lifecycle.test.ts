import { describe, expect, it } from 'vitest';
import { isActionAllowed, refusalMessage } from './lifecycle.ts';

describe('lifecycle table', () => {
  it('allows start only without a process and pause/resume only in the matching state', () => {
    expect(isActionAllowed('start', 'defined')).toBe(true);
    expect(isActionAllowed('start', 'crashed')).toBe(true);
    expect(isActionAllowed('start', 'running')).toBe(false);
    expect(isActionAllowed('pause', 'running')).toBe(true);
    expect(isActionAllowed('pause', 'paused')).toBe(false);
    expect(isActionAllowed('resume', 'paused')).toBe(true);
    expect(isActionAllowed('poweroff', 'stopping')).toBe(true);
    expect(isActionAllowed('shutdown', 'stopped')).toBe(false);
    expect(isActionAllowed('reset', 'defined')).toBe(false);
  });

  it('explains a refusal', () => {
    expect(refusalMessage('pause', 'stopped')).toBe(
      'cannot pause a VM that is stopped (allowed when running)',
    );
  });
});
