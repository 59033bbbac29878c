import { queryOptions } from '@tanstack/react-query';
import { getHost } from '../api/host.ts';

export const hostQuery = () => queryOptions({ queryKey: ['host'], queryFn: getHost, staleTime: 60_000 });
