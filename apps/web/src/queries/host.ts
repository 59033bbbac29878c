import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { getHost, setServerName } from '../api/host.ts';

export const hostQuery = () => queryOptions({ queryKey: ['host'], queryFn: getHost, staleTime: 60_000 });

export function useSetServerName() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: setServerName,
    onSuccess: (host) => client.setQueryData(hostQuery().queryKey, host),
  });
}
