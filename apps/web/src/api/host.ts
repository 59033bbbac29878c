import { HostInfoSchema, type HostInfo } from '@virtweb/protocol';
import { requestJson } from './http.ts';

export function getHost(): Promise<HostInfo> {
  return requestJson('GET', '/api/host', HostInfoSchema);
}
