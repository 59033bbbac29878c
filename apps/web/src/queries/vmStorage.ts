import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  AddDiskRequest,
  ChangeCdromRequest,
  CreateSnapshotRequest,
  PatchDiskRequest,
  StorageJob,
} from '@virtweb/protocol';
import {
  addDisk,
  changeCdrom,
  createSnapshot,
  deleteSnapshot,
  describeSnapshot,
  listSnapshots,
  patchDisk,
  removeDisk,
  revertSnapshot,
} from '../api/vmStorage.ts';
import { imagesKey } from './images.ts';
import { vmKeys } from './vms.ts';

// Disks and the CD are part of the VM (`vm.updated` events keep them fresh); snapshots have their own query,
// refreshed when a snapshot job ends (from any browser: `vm.storage-job` events).
const snapshotsKey = (id: string) => ['vms', 'snapshots', id] as const;
const jobKey = (id: string) => ['vms', 'storage-job', id] as const;

export const snapshotsQuery = (id: string) =>
  queryOptions({ queryKey: snapshotsKey(id), queryFn: () => listSnapshots(id) });

/** Stores a `vm.storage-job` event; a job that ended makes the snapshot list stale. */
export function storeStorageJob(client: QueryClient, id: string, job: StorageJob): void {
  client.setQueryData(jobKey(id), job);
  if (job.phase !== 'running') void client.invalidateQueries({ queryKey: snapshotsKey(id) });
}

/** The latest snapshot job of a VM while it runs (from the events socket; never fetched). */
export function useStorageJob(id: string): StorageJob | undefined {
  const { data } = useQuery({
    queryKey: jobKey(id),
    queryFn: (): StorageJob | null => null,
    enabled: false,
    staleTime: Infinity,
  });
  return data?.phase === 'running' ? data : undefined;
}

/** After a change the VM (its disks and CD) arrives as an event; images change their `usedBy`. */
function useStorageMutation<V, R>(fn: (vars: V) => Promise<R>, vmId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: imagesKey });
      void client.invalidateQueries({ queryKey: vmKeys.detail(vmId) });
    },
  });
}

export const useAddDisk = (vmId: string) =>
  useStorageMutation((req: AddDiskRequest) => addDisk(vmId, req), vmId);

export const usePatchDisk = (vmId: string) =>
  useStorageMutation((req: { index: number } & PatchDiskRequest) => {
    const { index, ...options } = req;
    return patchDisk(vmId, index, options);
  }, vmId);

export const useRemoveDisk = (vmId: string) =>
  useStorageMutation((index: number) => removeDisk(vmId, index), vmId);

export const useChangeCdrom = (vmId: string) =>
  useStorageMutation((req: ChangeCdromRequest) => changeCdrom(vmId, req), vmId);

function useSnapshotMutation<V, R>(fn: (vars: V) => Promise<R>, vmId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => client.invalidateQueries({ queryKey: snapshotsKey(vmId) }),
  });
}

export const useCreateSnapshot = (vmId: string) =>
  useSnapshotMutation((req: CreateSnapshotRequest) => createSnapshot(vmId, req), vmId);

export const useDescribeSnapshot = (vmId: string) =>
  useSnapshotMutation(
    (req: { name: string; description: string }) => describeSnapshot(vmId, req.name, req.description),
    vmId,
  );

export const useRevertSnapshot = (vmId: string) =>
  useSnapshotMutation((name: string) => revertSnapshot(vmId, name), vmId);

export const useDeleteSnapshot = (vmId: string) =>
  useSnapshotMutation((name: string) => deleteSnapshot(vmId, name), vmId);
