import { z } from 'zod';
import {
  ApiTokenSchema,
  ClusterGuestsSchema,
  CreatedTokenSchema,
  PeerSchema,
  VmSchema,
  type AddPeerRequest,
  type ApiToken,
  type CreateTokenRequest,
  type CreatedToken,
  type HostGuests,
  type Peer,
  type Vm,
  type VmAction,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

export function listTokens(): Promise<ApiToken[]> {
  return requestJson('GET', '/api/tokens', z.array(ApiTokenSchema));
}

/** The answer carries the token itself: the only time it is shown. */
export function createToken(req: CreateTokenRequest): Promise<CreatedToken> {
  return requestJson('POST', '/api/tokens', CreatedTokenSchema, req);
}

export function revokeToken(id: string): Promise<void> {
  return requestVoid('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
}

export function listPeers(): Promise<Peer[]> {
  return requestJson('GET', '/api/peers', z.array(PeerSchema));
}

/** 400 with path `url` (no answer) or `token` (refused); 409 when already a peer. */
export function addPeer(req: AddPeerRequest): Promise<Peer> {
  return requestJson('POST', '/api/peers', PeerSchema, req);
}

export function removePeer(id: string): Promise<void> {
  return requestVoid('DELETE', `/api/peers/${encodeURIComponent(id)}`);
}

export function listClusterGuests(): Promise<HostGuests[]> {
  return requestJson('GET', '/api/cluster/vms', ClusterGuestsSchema);
}

/** A lifecycle action on a peer's guest, relayed by this server. */
export function peerVmAction(peerId: string, vmId: string, action: VmAction): Promise<Vm> {
  const path = `/api/peers/${encodeURIComponent(peerId)}/vms/${encodeURIComponent(vmId)}/${action}`;
  return requestJson('POST', path, VmSchema);
}
