import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { GuestAgentInfo } from '@virtweb/protocol';
import { getGuestAgent } from '../api/vms.ts';

/** `vm.agent` events keep it fresh; the refetch only covers a missed event. */
const AGENT_REFRESH_MS = 30_000;

const agentKey = (id: string, generation: string) => ['vms', 'agent', id, generation] as const;

/** What the guest's agent says, per run of the guest (`generation`: its start time). */
export const guestAgentQuery = (id: string, generation: string) =>
  queryOptions({
    queryKey: agentKey(id, generation),
    queryFn: () => getGuestAgent(id),
    refetchInterval: AGENT_REFRESH_MS,
    refetchIntervalInBackground: false,
  });

/** Stores what a `vm.agent` event says in every run's cache of the guest (only the current one is shown). */
export function storeGuestAgent(client: QueryClient, id: string, info: GuestAgentInfo): void {
  for (const query of client.getQueryCache().findAll({ queryKey: ['vms', 'agent', id] })) {
    client.setQueryData(query.queryKey, info);
  }
}
