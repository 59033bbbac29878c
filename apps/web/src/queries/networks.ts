import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { NetworkPortForward } from '@virtweb/protocol';
import {
  createNetwork,
  deleteNetwork,
  getNetwork,
  listNetworks,
  setPortForwards,
  startNetwork,
  stopNetwork,
} from '../api/networks.ts';

export const networkKeys = {
  all: ['networks'] as const,
  one: (name: string) => ['networks', name] as const,
};

/** Networks' state and leases are not pushed: polled while shown (dnsmasq hands out leases on its own). */
const POLL_MS = 5000;

export const networksQuery = () =>
  queryOptions({ queryKey: networkKeys.all, queryFn: listNetworks, refetchInterval: POLL_MS });

/** The managed networks a NIC may join (names, kinds, states): for the NIC editors, not polled. */
export const nicNetworksQuery = () =>
  queryOptions({
    queryKey: networkKeys.all,
    queryFn: listNetworks,
    select: (list) => list.networks.map(({ name, kind, state }) => ({ name, kind, state })),
  });

export const networkQuery = (name: string) =>
  queryOptions({
    queryKey: networkKeys.one(name),
    queryFn: () => getNetwork(name),
    refetchInterval: POLL_MS,
  });

/** Every change refreshes the list and the detail views (a prefix of both keys). */
function useNetworkMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => void client.invalidateQueries({ queryKey: networkKeys.all }),
  });
}

export const useCreateNetwork = () => useNetworkMutation(createNetwork);
export const useDeleteNetwork = () => useNetworkMutation(deleteNetwork);
export const useStartNetwork = () => useNetworkMutation(startNetwork);
export const useStopNetwork = () => useNetworkMutation(stopNetwork);
export const useSetPortForwards = () =>
  useNetworkMutation((a: { name: string; portForwards: NetworkPortForward[] }) =>
    setPortForwards(a.name, a.portForwards),
  );
