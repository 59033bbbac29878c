import { useQuery } from '@tanstack/react-query';
import type { MigrationJob } from '@virtweb/protocol';
import { useVmJob } from '../../../queries/migrations.ts';
import { vmsQuery } from '../../../queries/vms.ts';
import { isCompletedMove } from './jobText.ts';

/**
 * The job that moved this VM to a peer, once the VM is gone from this host (a 404, or `vm.deleted` taking it
 * off the list); undefined while it is here (also after a move that kept its definition).
 */
export function useMovedAway(vmId: string, notFound: boolean): MigrationJob | undefined {
  const job = useVmJob(vmId);
  // The list is kept by events: `vm.deleted` re-renders the page, which the detail query alone would not.
  const listed = useQuery({ ...vmsQuery(), select: (list) => list.some((v) => v.id === vmId) });
  if (!job || !isCompletedMove(job)) return undefined;
  return notFound || listed.data === false ? job : undefined;
}
