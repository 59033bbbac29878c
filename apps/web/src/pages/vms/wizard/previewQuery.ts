import { queryOptions } from '@tanstack/react-query';
import type { CreateVmRequest } from '@virtweb/protocol';
import { previewVm } from '../../../api/preview.ts';

/** The command line of a (client-validated) create request; the request is the key, so edits refetch. */
export const previewQuery = (req: CreateVmRequest) =>
  queryOptions({
    queryKey: ['vms', 'preview', req] as const,
    queryFn: () => previewVm(req),
    staleTime: 10_000,
    gcTime: 60_000,
  });
