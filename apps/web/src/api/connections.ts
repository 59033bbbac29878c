import { z } from 'zod';
import { ConnectionSchema, type Connection, type CreateConnectionRequest } from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const ConnectionListSchema = z.array(ConnectionSchema);

export function listConnections(): Promise<Connection[]> {
  return requestJson('GET', '/api/connections', ConnectionListSchema);
}

/** 400 for a URI virtweb does not take (details say why); 409 when it is there already. */
export function addConnection(req: CreateConnectionRequest): Promise<Connection> {
  return requestJson('POST', '/api/connections', ConnectionSchema, req);
}

/** 409 `in_use` while virtweb guests are defined on it. */
export function removeConnection(id: string): Promise<void> {
  return requestVoid('DELETE', `/api/connections/${encodeURIComponent(id)}`);
}
