import { z } from 'zod';
import {
  MigrationCheckSchema,
  MigrationJobSchema,
  SavedStateSchema,
  type MigrateRequest,
  type MigrationCheck,
  type MigrationJob,
  type SavedState,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const vmPath = (vmId: string) => `/api/vms/${encodeURIComponent(vmId)}`;

/** The preconditions of a migration, checked by the server with the peer; nothing moves. */
export async function checkMigration(vmId: string, req: MigrateRequest): Promise<MigrationCheck[]> {
  const answer = await requestJson(
    'POST',
    `${vmPath(vmId)}/migrate/check`,
    z.object({ checks: z.array(MigrationCheckSchema) }),
    req,
  );
  return answer.checks;
}

/** 202 with the job (live when the guest runs, offline when stopped); 409 with the failed checks as details. */
export function migrateVm(vmId: string, req: MigrateRequest): Promise<MigrationJob> {
  return requestJson('POST', `${vmPath(vmId)}/migrate`, MigrationJobSchema, req);
}

/** Running and recent jobs (migrations, saves, restores), newest first. */
export function listMigrations(): Promise<MigrationJob[]> {
  return requestJson('GET', '/api/migrations', z.array(MigrationJobSchema));
}

/** qemu's migrate_cancel: the source keeps running. */
export function cancelMigration(jobId: string): Promise<MigrationJob> {
  return requestJson('POST', `/api/migrations/${encodeURIComponent(jobId)}/cancel`, MigrationJobSchema);
}

/** Stops the running guest into a compressed state file; `name` defaults to `<vm>-<date>.vmstate.zst`. */
export function saveVmState(vmId: string, name?: string): Promise<MigrationJob> {
  return requestJson('POST', `${vmPath(vmId)}/save`, MigrationJobSchema, name === undefined ? {} : { name });
}

export function listSavedStates(): Promise<SavedState[]> {
  return requestJson('GET', '/api/saved-states', z.array(SavedStateSchema));
}

/** Starts the state's (stopped) VM from the file. */
export function restoreSavedState(name: string): Promise<MigrationJob> {
  return requestJson('POST', `/api/saved-states/${encodeURIComponent(name)}/restore`, MigrationJobSchema);
}

export function deleteSavedState(name: string): Promise<void> {
  return requestVoid('DELETE', `/api/saved-states/${encodeURIComponent(name)}`);
}
