import type { ConnectionHealth } from '@virtweb/protocol';

/** A connection's health in a few words: the host's name and size, or why it cannot be reached. */
export function healthText(h: ConnectionHealth): string {
  if (h.state === 'ok') return `${h.hostname}: ${h.cpus} CPUs, ${Math.round(h.memoryMiB / 1024)} GiB`;
  return `unreachable: ${h.message}`;
}
