import {
  ManagedNetworkSchema,
  NetworkDetailSchema,
  NetworkListSchema,
  type CreateNetworkRequest,
  type ManagedNetwork,
  type NetworkDetail,
  type NetworkList,
  type NetworkPortForward,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const at = (name: string) => `/api/networks/${encodeURIComponent(name)}`;

export function listNetworks(): Promise<NetworkList> {
  return requestJson('GET', '/api/networks', NetworkListSchema);
}

export function getNetwork(name: string): Promise<NetworkDetail> {
  return requestJson('GET', at(name), NetworkDetailSchema);
}

/** 400 for a malformed field (details name it); 409 for a clash (subnet, name, bridge) or dnsmasq refusing. */
export function createNetwork(req: CreateNetworkRequest): Promise<ManagedNetwork> {
  return requestJson('POST', '/api/networks', ManagedNetworkSchema, req);
}

/** 409 `in_use` naming the guests on it. */
export function deleteNetwork(name: string): Promise<void> {
  return requestVoid('DELETE', at(name));
}

export function startNetwork(name: string): Promise<ManagedNetwork> {
  return requestJson('POST', `${at(name)}/start`, ManagedNetworkSchema);
}

export function stopNetwork(name: string): Promise<ManagedNetwork> {
  return requestJson('POST', `${at(name)}/stop`, ManagedNetworkSchema);
}

export function setPortForwards(name: string, portForwards: NetworkPortForward[]): Promise<ManagedNetwork> {
  return requestJson('PUT', `${at(name)}/port-forwards`, ManagedNetworkSchema, { portForwards });
}
