import {
  VmLogSchema,
  VmProcessSchema,
  VmSchema,
  type SignalRequest,
  type Vm,
  type VmLog,
  type VmProcess,
} from '@virtweb/protocol';
import { requestJson } from './http.ts';

const vmPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}`;

/** The guest's qemu process (pid, threads, sockets); ApiError 409 `wrong_state` while it has none. */
export function getVmProcess(id: string): Promise<VmProcess> {
  return requestJson('GET', `${vmPath(id)}/process`, VmProcessSchema);
}

/** The last `lines` lines of qemu.log, with plain-language hints for the failures they show. */
export function getVmLog(id: string, lines: number): Promise<VmLog> {
  return requestJson('GET', `${vmPath(id)}/log?lines=${lines}`, VmLogSchema);
}

/** `kill -s <signal> <pid>` on the guest's qemu (202); the exit arrives as a `vm.updated` event. */
export function sendSignal(id: string, signal: SignalRequest['signal']): Promise<Vm> {
  return requestJson('POST', `${vmPath(id)}/signal`, VmSchema, { signal } satisfies SignalRequest);
}
