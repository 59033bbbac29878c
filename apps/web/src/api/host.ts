import { HostInfoSchema, type HostInfo, type SetServerNameRequest } from '@virtweb/protocol';
import { requestJson } from './http.ts';

export function getHost(): Promise<HostInfo> {
  return requestJson('GET', '/api/host', HostInfoSchema);
}

/** Renames this server (admin); answers the host facts with the new name. */
export function setServerName(req: SetServerNameRequest): Promise<HostInfo> {
  return requestJson('PUT', '/api/host/name', HostInfoSchema, req);
}
