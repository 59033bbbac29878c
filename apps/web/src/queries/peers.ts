import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Peer, VmAction } from '@virtweb/protocol';
import {
  addPeer,
  createToken,
  listClusterGuests,
  listPeers,
  listTokens,
  peerCertificate,
  peerVmAction,
  removePeer,
  revokeToken,
} from '../api/peers.ts';

export const peerKeys = {
  peers: ['peers'] as const,
  tokens: ['tokens'] as const,
  cluster: ['cluster', 'vms'] as const,
};

export const peersQuery = () => queryOptions({ queryKey: peerKeys.peers, queryFn: listPeers });
export const tokensQuery = () => queryOptions({ queryKey: peerKeys.tokens, queryFn: listTokens });
/** Peers' guests are not pushed to us: poll while the list is shown. */
export const clusterGuestsQuery = () =>
  queryOptions({ queryKey: peerKeys.cluster, queryFn: listClusterGuests, refetchInterval: 5000 });

/** A `peers.changed` event carries the whole list. */
export function storePeers(client: QueryClient, peers: Peer[]): void {
  client.setQueryData(peerKeys.peers, peers);
  void client.invalidateQueries({ queryKey: peerKeys.cluster });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createToken,
    onSuccess: () => void client.invalidateQueries({ queryKey: peerKeys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: () => void client.invalidateQueries({ queryKey: peerKeys.tokens }),
  });
}

export function usePeerCertificate() {
  return useMutation({ mutationFn: peerCertificate });
}

export function useAddPeer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: addPeer,
    onSuccess: () => void client.invalidateQueries({ queryKey: peerKeys.peers }),
  });
}

export function useRemovePeer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: removePeer,
    onSuccess: () => void client.invalidateQueries({ queryKey: peerKeys.peers }),
  });
}

export function usePeerVmAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ peerId, vmId, action }: { peerId: string; vmId: string; action: VmAction }) =>
      peerVmAction(peerId, vmId, action),
    onSettled: () => void client.invalidateQueries({ queryKey: peerKeys.cluster }),
  });
}
