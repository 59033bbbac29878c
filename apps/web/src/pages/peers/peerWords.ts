import { formatBytes, type PeerHealth } from '@virtweb/protocol';

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
    case 'error':
      return 'error';
    case 'unknown':
      return 'not checked yet';
  }
}

export function memoryText(used: number, total: number): string {
  return `${formatBytes(used)} of ${formatBytes(total)} in guests`;
}
