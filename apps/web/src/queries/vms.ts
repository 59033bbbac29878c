import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { CreateVmRequest, Vm, VmAction } from '@virtweb/protocol';
import { ApiError } from '../api/errors.ts';
import { createVm, getVm, listVms, vmAction } from '../api/vms.ts';
import { imagesKey } from './images.ts';
import { vmEventSince } from './eventClock.ts';

export const vmKeys = {
  all: ['vms'] as const,
  list: () => ['vms', 'list'] as const,
  detail: (id: string) => ['vms', 'detail', id] as const,
};

export const vmsQuery = () => queryOptions({ queryKey: vmKeys.list(), queryFn: listVms });

export const vmQuery = (id: string) =>
  queryOptions({ queryKey: vmKeys.detail(id), queryFn: () => getVm(id) });

/** Puts a VM into the list (replacing or appending) and its detail cache. */
export function storeVm(client: QueryClient, vm: Vm): void {
  client.setQueryData(vmsQuery().queryKey, (list) => {
    if (!list) return list;
    return list.some((v) => v.id === vm.id) ? list.map((v) => (v.id === vm.id ? vm : v)) : [...list, vm];
  });
  client.setQueryData(vmQuery(vm.id).queryKey, vm);
}

export function dropVm(client: QueryClient, id: string): void {
  client.setQueryData(vmsQuery().queryKey, (list) => list?.filter((v) => v.id !== id));
  client.removeQueries({ queryKey: vmKeys.detail(id) });
}

/**
 * Stores a mutation's answer unless an event about the VM arrived since the request went out: the event
 * stream is then fresher than the 202 answer (which may still say `starting` when `running` is known).
 */
function storeAnswer(client: QueryClient, vm: Vm, sentAt: number): void {
  if (!vmEventSince(vm.id, sentAt)) storeVm(client, vm);
}

export function useCreateVm() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (req: CreateVmRequest) => createVm(req),
    onSuccess: (vm) => {
      storeVm(client, vm);
      return client.invalidateQueries({ queryKey: imagesKey });
    },
  });
}

export function useVmAction(action: VmAction) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => vmAction(id, action),
    onMutate: () => ({ sentAt: performance.now() }),
    onSuccess: (vm, _id, context) => storeAnswer(client, vm, context.sentAt),
  });
}

/** What a bulk action did: the guests it was asked of, and those that refused with their reason. */
export interface BulkOutcome {
  done: string[];
  failed: { name: string; error: ApiError }[];
}

/** One lifecycle action on several guests at once (each through the API, as a click would). */
export function useBulkVmAction(action: VmAction) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (vms: readonly Vm[]): Promise<BulkOutcome> => {
      const sentAt = performance.now();
      const results = await Promise.allSettled(vms.map((v) => vmAction(v.id, action)));
      const outcome: BulkOutcome = { done: [], failed: [] };
      results.forEach((r, i) => {
        const name = vms[i]?.name ?? '';
        if (r.status === 'fulfilled') {
          storeAnswer(client, r.value, sentAt);
          outcome.done.push(name);
        } else {
          const error =
            r.reason instanceof ApiError ? r.reason : new ApiError(0, 'unknown', String(r.reason), []);
          outcome.failed.push({ name, error });
        }
      });
      return outcome;
    },
  });
}
