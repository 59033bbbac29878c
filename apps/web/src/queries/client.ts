import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/errors.ts';
import { sessionQuery } from './session.ts';

declare module '@tanstack/react-query' {
  interface Register {
    /** Every fetcher in src/api throws ApiError only (network failures and contract drift included). */
    defaultError: ApiError;
  }
}

/** The app's QueryClient: a 401 from any query or mutation ends the session (the router shows /login). */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (err) => onAnyError(err) }),
    mutationCache: new MutationCache({ onError: (err) => onAnyError(err) }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Retry only what may heal by itself: network failures and 5xx.
        retry: (count, err) => (err.status === 0 || err.status >= 500) && count < 2,
      },
    },
  });
  function onAnyError(err: ApiError): void {
    if (err.status === 401) client.setQueryData(sessionQuery().queryKey, null);
  }
  return client;
}
