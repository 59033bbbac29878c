import { useQuery } from '@tanstack/react-query';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { sessionQuery } from '../queries/session.ts';
import { Loading, QueryError } from './QueryError.tsx';

/** Renders the child routes only with a session; otherwise sends the user to /login (and back afterwards). */
export function RequireAuth() {
  const session = useQuery(sessionQuery());
  const location = useLocation();
  if (session.isPending) return <Loading what="the session" />;
  // A failed refetch keeps the session known before it (the server restarting, the network gone): the
  // page stays, the reconnecting banner says what is going on.
  if (session.isError && session.data === undefined)
    return <QueryError what="the session" error={session.error} onRetry={() => void session.refetch()} />;
  if (session.data === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <Outlet />;
}
