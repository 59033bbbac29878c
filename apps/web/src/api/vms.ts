import { z } from 'zod';
import { VmSchema, type CreateVmRequest, type Vm, type VmAction } from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const VmListSchema = z.array(VmSchema);

const vmPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}`;

export function listVms(): Promise<Vm[]> {
  return requestJson('GET', '/api/vms', VmListSchema);
}

export function getVm(id: string): Promise<Vm> {
  return requestJson('GET', vmPath(id), VmSchema);
}

export function createVm(req: CreateVmRequest): Promise<Vm> {
  return requestJson('POST', '/api/vms', VmSchema, req);
}

/** Throws ApiError 409 while the guest runs. */
export function deleteVm(id: string): Promise<void> {
  return requestVoid('DELETE', vmPath(id));
}

/** Asks for a lifecycle change (202); the final state arrives as a `vm.updated` event. 409 `wrong_state`. */
export function vmAction(id: string, action: VmAction): Promise<Vm> {
  return requestJson('POST', `${vmPath(id)}/${action}`, VmSchema);
}
