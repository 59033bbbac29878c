import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '@virtweb/protocol';
import { getSession, login, logout } from '../api/session.ts';

export const sessionKey = ['session'] as const;
const ADMIN: SessionInfo = { user: 'admin' };

/** null = not logged in (the server said 401). */
export const sessionQuery = () =>
  queryOptions<SessionInfo | null>({ queryKey: sessionKey, queryFn: getSession, staleTime: Infinity });

/** Drops everything cached for the previous session but the session itself. */
function forgetData(client: QueryClient): void {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => login({ password }),
    onSuccess: () => {
      forgetData(client);
      client.setQueryData(sessionQuery().queryKey, ADMIN);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSuccess: () => {
      client.setQueryData(sessionQuery().queryKey, null);
      forgetData(client);
    },
  });
}
