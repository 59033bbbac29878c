import { formatBytes, type PeerHealth, type TokenScope } from '@virtweb/protocol';
import type { RadioOption } from '../../components/RadioGroup.tsx';

/** The token scopes, least first, each with a line on what it allows (the server's ROUTE_SCOPES). */
export const SCOPE_OPTIONS: readonly RadioOption<TokenScope>[] = [
  { value: 'read', label: 'Read', hint: 'Looks at guests, images, the host and metrics; changes nothing.' },
  {
    value: 'peer',
    label: 'Peer',
    hint: 'For another virtweb server: peering and moving guests to this one, nothing else.',
  },
  {
    value: 'operate',
    label: 'Operate',
    hint: 'Read, plus start and stop, screen and serial console, images, disks, snapshots and migrations.',
  },
  {
    value: 'admin',
    label: 'Admin',
    hint: 'Everything a token can do, including the qemu monitor, QMP and signals; also works as a peer.',
  },
];

export function scopeLabel(scope: TokenScope): string {
  return SCOPE_OPTIONS.find((o) => o.value === scope)?.label ?? scope;
}

export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function healthText(h: PeerHealth): string {
  switch (h.status) {
    case 'ok':
      return h.latencyMs === undefined ? 'online' : `online (${h.latencyMs} ms)`;
    case 'unreachable':
      return 'not reachable';
    case 'unauthorized':
      return 'token refused';
    case 'certificate':
      return 'certificate changed';
    case 'error':
      return 'error';
    case 'unknown':
      return 'not checked yet';
  }
}

export function memoryText(used: number, total: number): string {
  return `${formatBytes(used)} of ${formatBytes(total)} in guests`;
}
