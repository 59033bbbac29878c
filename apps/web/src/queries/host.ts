import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { listHostUsb } from '../api/vmUsb.ts';
import { getHost, setServerName } from '../api/host.ts';

export const hostQuery = () => queryOptions({ queryKey: ['host'], queryFn: getHost, staleTime: 60_000 });

export function useSetServerName() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: setServerName,
    onSuccess: (host) => client.setQueryData(hostQuery().queryKey, host),
  });
}

/** The host's USB devices: plugged in and out behind the server's back, so polled while shown. */
export const hostUsbQuery = () =>
  queryOptions({ queryKey: ['host', 'usb'], queryFn: listHostUsb, refetchInterval: 5000 });
