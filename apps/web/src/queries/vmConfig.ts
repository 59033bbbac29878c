import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  AutostartInput,
  CloneVmRequest,
  DeleteVmRequest,
  UpdateVmRequest,
  VmLabelsInput,
} from '@virtweb/protocol';
import {
  cloneVm,
  deleteVm,
  getBalloon,
  getCommandLine,
  setBalloon,
  setVmAutostart,
  setVmLabels,
  updateVm,
} from '../api/vms.ts';
import { imagesKey } from './images.ts';
import { useStoringMutation } from './storingMutation.ts';
import { dropVm, storeVm } from './vms.ts';

// The Settings tab, clone and delete: what changes a VM's stored configuration (or the VM itself).

/**
 * The command line of the next start. `config` (the stored configuration, serialised) is part of the key:
 * a `vm.updated` event that changes the configuration makes it refetch, without polling.
 */
export const commandLineQuery = (id: string, config: string) =>
  queryOptions({
    queryKey: ['vms', 'command-line', id, config] as const,
    queryFn: () => getCommandLine(id),
    gcTime: 0,
  });

// A change that answers with the changed VM: stored in the list and the guest's own query at once.
export const useUpdateVm = (id: string) =>
  useStoringMutation((req: UpdateVmRequest) => updateVm(id, req), storeVm);

/** Tags and notes: stored at once, whatever the guest's state. */
export const useSetLabels = (id: string) =>
  useStoringMutation((labels: VmLabelsInput) => setVmLabels(id, labels), storeVm);

/** Starting with the host: stored at once, whatever the guest's state. */
export const useSetAutostart = (id: string) =>
  useStoringMutation((autostart: AutostartInput) => setVmAutostart(id, autostart), storeVm);

/** The clone is a new VM (and new images): stored in the list, the images refetched. */
export function useCloneVm(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: CloneVmRequest) => cloneVm(id, req),
    onSuccess: (vm) => {
      storeVm(client, vm);
      return client.invalidateQueries({ queryKey: imagesKey });
    },
  });
}

/**
 * `onDeleted` runs here rather than in `mutate`'s callbacks: the `vm.deleted` event may unmount the asking
 * component before the answer arrives, and only the hook's own callbacks still run then.
 */
export function useDeleteVmWithImages(id: string, onDeleted: (req: DeleteVmRequest) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: DeleteVmRequest) => deleteVm(id, req),
    onSuccess: (_void, req) => {
      onDeleted(req);
      dropVm(client, id);
      return client.invalidateQueries({ queryKey: imagesKey });
    },
  });
}

/** How often the balloon is read while shown: the guest moves towards a new target over seconds. */
export const BALLOON_REFRESH_MS = 3000;

const balloonKey = (id: string, generation: string) => ['vms', 'balloon', id, generation] as const;

/** The balloon of a running guest; `generation` (its start time) makes a restarted guest refetch. */
export const balloonQuery = (id: string, generation: string) =>
  queryOptions({
    queryKey: balloonKey(id, generation),
    queryFn: () => getBalloon(id),
    gcTime: 0,
    retry: false,
    refetchInterval: BALLOON_REFRESH_MS,
    refetchIntervalInBackground: false,
  });

export function useSetBalloon(id: string, generation: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (targetMiB: number) => setBalloon(id, targetMiB),
    onSuccess: (info) => client.setQueryData(balloonKey(id, generation), info),
  });
}
