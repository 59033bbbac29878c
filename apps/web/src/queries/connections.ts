import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { addConnection, listConnections, removeConnection } from '../api/connections.ts';

export const connectionKeys = { all: ['connections'] as const };

/** Health and the hosts' guests are not pushed: polled while shown (others change libvirt's domains too). */
const POLL_MS = 5000;

export const connectionsQuery = () =>
  queryOptions({ queryKey: connectionKeys.all, queryFn: listConnections, refetchInterval: POLL_MS });

/** The connections a new guest may be defined on (URIs), for the wizard: not polled. */
export const connectionUrisQuery = () =>
  queryOptions({
    queryKey: connectionKeys.all,
    queryFn: listConnections,
    select: (list) => list.map((c) => c.uri),
  });

function useConnectionMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => void client.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

export const useAddConnection = () => useConnectionMutation(addConnection);
export const useRemoveConnection = () => useConnectionMutation(removeConnection);
