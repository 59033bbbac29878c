import type { ProcFiles } from './proc.ts';

/** Cumulative counters of one tap, seen from the guest (the tap transmits what the guest receives). */
export interface TapCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

/** A guest's NIC whose traffic can be counted: it goes through a host tap. */
export interface CountedNic {
  slot: number;
  tap: string;
}

// Linux interface names (IFNAMSIZ 16 with the NUL); nothing else may reach a sysfs path.
const TAP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/**
 * The tap's counters from `/sys/class/net/<tap>/statistics` (descriptors kept open by `files` and re-read at
 * offset 0, as for /proc); undefined when the tap is gone or the name is not an interface name.
 */
export function readTapCounters(
  files: ProcFiles,
  tap: string,
  sysClassNet = '/sys/class/net',
): TapCounters | undefined {
  if (!TAP_NAME.test(tap)) return undefined;
  const counter = (name: string): number | undefined => {
    const text = files.read(`${sysClassNet}/${tap}/statistics/${name}`);
    const n = text === undefined ? NaN : Number.parseInt(text.trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  };
  const [tx, rx, txp, rxp] = ['tx_bytes', 'rx_bytes', 'tx_packets', 'rx_packets'].map(counter);
  if (tx === undefined || rx === undefined || txp === undefined || rxp === undefined) return undefined;
  // NOTE: a tap's "tx" is towards the guest: what the host side transmits, the guest receives.
  return { rxBytes: tx, txBytes: rx, rxPackets: txp, txPackets: rxp };
}
