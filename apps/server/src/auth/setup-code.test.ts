import { describe, expect, it } from 'vitest';
import { SetupCode } from './setup-code.ts';

describe('SetupCode', () => {
  it('is 12 unambiguous characters in groups of 4, different each time', () => {
    const a = new SetupCode().code;
    expect(a).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(new SetupCode().code).not.toBe(a);
  });

  it('matches itself as typed (case, dashes, spaces), nothing else, and nothing once used', () => {
    const setup = new SetupCode('ABCD-EFGH-JKMN');
    expect(setup.active).toBe(true);
    expect(setup.matches('ABCD-EFGH-JKMN')).toBe(true);
    expect(setup.matches(' abcd efgh jkmn ')).toBe(true);
    expect(setup.matches('ABCD-EFGH-JKMP')).toBe(false);
    expect(setup.matches('')).toBe(false);
    expect(setup.matches('ABCD-EFGH-JKMN-')).toBe(true);
    setup.consume();
    expect(setup.active).toBe(false);
    expect(setup.matches('ABCD-EFGH-JKMN')).toBe(false);
  });
});
