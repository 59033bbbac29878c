import type { TokenScope } from '@virtweb/protocol';

/** Who a request or websocket is from: a logged-in browser session or an API token, and what it may do. */
export interface Principal {
  kind: 'session' | 'token';
  /** The session's id or the API token's id: what revoking names. */
  id: string;
  /** A token's scope, or the role of a session's user. */
  scope: TokenScope;
  /** When a session ends by itself (ms since the epoch); tokens do not expire. */
  expiresAt?: number;
  /** A session's user name (who did something, for people to read); undefined for a token. */
  user?: string;
  /** A session's user id (what the users table keys by); undefined for a token. */
  userId?: string;
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

/** Words for "needs the operate scope" or "needs the read or peer scope"; for a session "the operate role". */
export function scopeWords(needed: readonly TokenScope[], kind: Principal['kind'] = 'token'): string {
  if (kind === 'token') return `the ${needed.join(' or ')} scope`;
  // The least role that has one of them (`peer` is only in admin's).
  const role = ROLES.find((r) => needed.some((n) => allows(r, n))) ?? 'admin';
  return `the ${role} role`;
}

/** A user's roles, least first. */
const ROLES: readonly TokenScope[] = ['read', 'operate', 'admin'];
