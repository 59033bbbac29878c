import { NicSchema, type Nic, type NicPatchRequest, type NicRequest } from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const nicsPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}/nics`;

/** Hot-plugged when the VM runs. ApiError 400 (fields), 409 MAC of another guest, no free slot, qemu refused. */
export function addNic(id: string, nic: NicRequest): Promise<Nic> {
  return requestJson('POST', nicsPath(id), NicSchema, nic);
}

/** The link at once (running guest); model and MAC at the next start. ApiError 400, 404, 409. */
export function patchNic(id: string, slot: number, patch: NicPatchRequest): Promise<Nic> {
  return requestJson('PATCH', `${nicsPath(id)}/${slot}`, NicSchema, patch);
}

/** Unplugged when the VM runs. ApiError 409 while paused or if the guest holds on. */
export function removeNic(id: string, slot: number): Promise<void> {
  return requestVoid('DELETE', `${nicsPath(id)}/${slot}`);
}
