import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { LoginRequest, SessionInfo, SetupRequest } from '@virtweb/protocol';
import { getSession, getSetupStatus, login, logout, setupFirstAdmin } from '../api/session.ts';

export const sessionKey = ['session'] as const;

/** null = not logged in (the server said 401). */
export const sessionQuery = () =>
  queryOptions<SessionInfo | null>({ queryKey: sessionKey, queryFn: getSession, staleTime: Infinity });

/** Whether the first admin is still to be made (asked once per visit of the login page). */
export const setupQuery = () => queryOptions({ queryKey: ['session', 'setup'], queryFn: getSetupStatus });

/** Drops everything cached for the previous session but the session itself. */
function forgetData(client: QueryClient): void {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
}

/** A session began: nothing of another one is kept, and who it is (name, role) is the server's to say. */
async function startSession(client: QueryClient): Promise<void> {
  forgetData(client);
  await client.query({ ...sessionQuery(), staleTime: 0 });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: LoginRequest) => login(req),
    onSuccess: () => startSession(client),
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

export function useSetup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: SetupRequest) => setupFirstAdmin(req),
    onSuccess: () => startSession(client),
  });
}
