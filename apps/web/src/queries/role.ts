import { useQuery } from '@tanstack/react-query';
import type { UserRole } from '@virtweb/protocol';
import { sessionQuery } from './session.ts';

const RANK: Record<UserRole, number> = { read: 0, operate: 1, admin: 2 };

/** True when `role` has the rights of `needed` (admin ⊇ operate ⊇ read, as on the server). */
export function roleAllows(role: UserRole, needed: UserRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** What a disabled control says when the user's role is too small. */
export const needsRole = (needed: UserRole): string => `Needs the ${needed} role`;

/** The logged-in user's role (read until the session is known: nothing is offered that may be refused). */
export function useRole(): UserRole {
  return useQuery(sessionQuery()).data?.role ?? 'read';
}

/**
 * Whether the user may do what needs `needed`, and the reason to show on a disabled control when not
 * (undefined when it may).
 */
export function useRoleGate(needed: UserRole): { allowed: boolean; reason: string | undefined } {
  const allowed = roleAllows(useRole(), needed);
  return { allowed, reason: allowed ? undefined : needsRole(needed) };
}
