import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { SignalRequest } from '@virtweb/protocol';
import { getVmLog, getVmProcess, sendSignal } from '../api/process.ts';

/** How many qemu.log lines the Process tab shows. */
export const LOG_LINES = 200;
/** tail -f: how often the log is read again while the Process tab is open. */
export const LOG_REFRESH_MS = 2000;

export const processKeys = {
  process: (id: string) => ['process', id] as const,
  log: (id: string) => ['process', id, 'log'] as const,
};

/** The qemu process of a running guest; `generation` (its start time) makes a restarted guest refetch. */
export const vmProcessQuery = (id: string, generation: string) =>
  queryOptions({
    queryKey: [...processKeys.process(id), generation] as const,
    queryFn: () => getVmProcess(id),
    gcTime: 0,
    retry: false,
  });

export const vmLogQuery = (id: string) =>
  queryOptions({
    queryKey: processKeys.log(id),
    queryFn: () => getVmLog(id, LOG_LINES),
    gcTime: 0,
    staleTime: 0,
    refetchInterval: LOG_REFRESH_MS,
    refetchIntervalInBackground: false,
  });

/** Sends SIGTERM/SIGKILL to the guest's qemu; the state change arrives as an event. */
export function useSendSignal(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (signal: SignalRequest['signal']) => sendSignal(id, signal),
    // The 202 answer still says `running`: the exit (stopped/crashed, with the reason) comes as an event.
    onSuccess: () => client.invalidateQueries({ queryKey: processKeys.log(id) }),
  });
}
