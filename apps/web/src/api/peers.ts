import { z } from 'zod';
import {
  ApiTokenSchema,
  ClusterGuestsSchema,
  CreatedTokenSchema,
  PeerCertificateSchema,
  PeerSchema,
  VmSchema,
  type AddPeerRequest,
  type PeerCertificate,
  type PeerCertificateRequest,
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

/** The certificate a peer URL presents (null fingerprint for http://), for the user to confirm before adding. */
export function peerCertificate(req: PeerCertificateRequest): Promise<PeerCertificate> {
  return requestJson('POST', '/api/peers/certificate', PeerCertificateSchema, req);
}

/**
 * 400 with path `url` (no answer), `token` (refused) or `fingerprint` (missing for https://); 409 when already
 * a peer or when it presents another certificate than `fingerprint`.
 */
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
