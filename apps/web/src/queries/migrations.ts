import {
  queryOptions,
  skipToken,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import type { MigrateRequest, MigrationJob, VmState } from '@virtweb/protocol';
import {
  cancelMigration,
  checkMigration,
  deleteSavedState,
  listMigrations,
  listSavedStates,
  migrateVm,
  restoreSavedState,
  saveVmState,
} from '../api/migrations.ts';
import { isJobEnded, latestJobOf, upsertJob } from './migrationJobs.ts';
import { peerKeys } from './peers.ts';
import { useStoringMutation } from './storingMutation.ts';
import { vmKeys } from './vms.ts';

export const migrationKeys = {
  jobs: ['migrations', 'jobs'] as const,
  /** The guest's state is part of the key: a running guest is checked for a live move, a stopped one offline. */
  check: (vmId: string, state: VmState, req: MigrateRequest | null) =>
    ['migrations', 'check', vmId, state, req] as const,
  savedStates: ['saved-states'] as const,
};

/** Jobs come from `migration.updated` events once loaded; the list is fetched when a page first needs it. */
export const migrationsQuery = () => queryOptions({ queryKey: migrationKeys.jobs, queryFn: listMigrations });

export const savedStatesQuery = () =>
  queryOptions({ queryKey: migrationKeys.savedStates, queryFn: listSavedStates });

/**
 * Stores a job (from a `migration.updated` event or an answer). When it ends, what it changed is refetched:
 * the saved states after a save or restore; this host's and the peers' guests after a move (the VM is then
 * gone here unless its definition was kept; `vm.deleted` drops it, the detail refetch confirms).
 */
export function storeMigrationJob(client: QueryClient, job: MigrationJob): void {
  const key = migrationsQuery().queryKey;
  const list = client.getQueryData(key);
  const before = list?.find((j) => j.id === job.id);
  if (list) client.setQueryData(key, upsertJob(list, job));
  else void client.invalidateQueries({ queryKey: migrationKeys.jobs });
  if (!isJobEnded(job) || (before && isJobEnded(before))) return;
  if (job.kind === 'save' || job.kind === 'restore') {
    void client.invalidateQueries({ queryKey: migrationKeys.savedStates });
  } else if (job.phase === 'completed') {
    void client.invalidateQueries({ queryKey: peerKeys.cluster });
    void client.invalidateQueries({ queryKey: vmKeys.list() });
    void client.invalidateQueries({ queryKey: vmKeys.detail(job.vmId) });
  }
}

/** The newest job of a VM (running or ended), kept after the VM itself is gone from this host. */
export function useVmJob(vmId: string): MigrationJob | undefined {
  const { data } = useQuery({ ...migrationsQuery(), select: (list) => latestJobOf(list, vmId) });
  return data;
}

/** Whether a migration, save or restore of the guest is under way (a guest has one job at a time). */
export function useVmJobRunning(vmId: string): boolean {
  const job = useVmJob(vmId);
  return job !== undefined && !isJobEnded(job);
}

/** The preconditions for `req` (null: nothing to check yet), checked afresh whenever the request changes. */
export function useMigrationCheck(vmId: string, state: VmState, req: MigrateRequest | null) {
  return useQuery({
    queryKey: migrationKeys.check(vmId, state, req),
    queryFn: req ? () => checkMigration(vmId, req) : skipToken,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
}

// Starting (or cancelling) a job answers with the job: stored with the others at once.
export const useMigrateVm = (vmId: string) =>
  useStoringMutation((req: MigrateRequest) => migrateVm(vmId, req), storeMigrationJob);

export const useCancelMigration = () => useStoringMutation(cancelMigration, storeMigrationJob);

export const useSaveState = (vmId: string) =>
  useStoringMutation((name: string | undefined) => saveVmState(vmId, name), storeMigrationJob);

export const useRestoreState = () => useStoringMutation(restoreSavedState, storeMigrationJob);

export function useDeleteSavedState() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteSavedState,
    onSettled: () => client.invalidateQueries({ queryKey: migrationKeys.savedStates }),
  });
}
