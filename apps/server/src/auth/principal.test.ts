import { describe, expect, it } from 'vitest';
import { TokenScopeSchema, type TokenScope } from '@virtweb/protocol';
import { allows } from './principal.ts';

/** Every (scope, needed) pair that is allowed; everything else must be refused. */
const ALLOWED: readonly (readonly [TokenScope, TokenScope])[] = [
  ['admin', 'admin'],
  ['admin', 'operate'],
  ['admin', 'read'],
  ['admin', 'peer'],
  ['operate', 'operate'],
  ['operate', 'read'],
  ['read', 'read'],
  ['peer', 'peer'],
];

describe('allows(scope, needed)', () => {
  it('follows admin ⊇ operate ⊇ read and admin ⊇ peer, and nothing else', () => {
    for (const scope of TokenScopeSchema.options) {
      for (const needed of TokenScopeSchema.options) {
        const expected = ALLOWED.some(([s, n]) => s === scope && n === needed);
        expect(allows(scope, needed), `${scope} for ${needed}`).toBe(expected);
      }
    }
  });

  it('keeps peer apart: it neither reads nor operates, and neither read nor operate is peer', () => {
    expect(allows('peer', 'read')).toBe(false);
    expect(allows('peer', 'operate')).toBe(false);
    expect(allows('read', 'peer')).toBe(false);
    expect(allows('operate', 'peer')).toBe(false);
  });
});
