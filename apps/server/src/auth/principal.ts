import type { TokenScope } from '@virtweb/protocol';

/** Who a request or websocket is from: a logged-in browser session or an API token, and what it may do. */
export interface Principal {
  kind: 'session' | 'token';
  /** The session token's hash (as stored) or the API token's id: what revoking names. */
  id: string;
  scope: TokenScope;
  /** When a session ends by itself (ms since the epoch); tokens do not expire. */
  expiresAt?: number;
}

/** The scopes each scope includes besides itself: admin ⊇ operate ⊇ read; admin ⊇ peer. */
const INCLUDES: Record<TokenScope, readonly TokenScope[]> = {
  admin: ['operate', 'read', 'peer'],
  operate: ['read'],
  read: [],
  peer: [],
};

/** True when `scope` is `needed` or includes it. */
export function allows(scope: TokenScope, needed: TokenScope): boolean {
  return scope === needed || INCLUDES[scope].includes(needed);
}

/** Words for "needs the operate scope" or "needs the read or peer scope". */
export function scopeWords(needed: readonly TokenScope[]): string {
  return `the ${needed.join(' or ')} scope`;
}
