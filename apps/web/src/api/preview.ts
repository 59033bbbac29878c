import { CommandLineSchema, type CommandLine, type CreateVmRequest } from '@virtweb/protocol';
import { requestJson } from './http.ts';

/**
 * The qemu command line a create request would give, without creating anything. Throws ApiError with the
 * same 400/409 answers a create would give (field paths in `details`).
 */
export function previewVm(req: CreateVmRequest): Promise<CommandLine> {
  return requestJson('POST', '/api/vms/preview', CommandLineSchema, req);
}
