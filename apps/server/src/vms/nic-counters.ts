import { bridgeTapName } from '../host/bridge-taps.ts';
import type { CountedNic } from '../metrics/tap-counters.ts';
import type { VmDefinition } from './definition.ts';

/** The guest's NICs that go through a host tap, whose counters the graphs read. */
export function countedNics(vmId: string, def: VmDefinition): CountedNic[] {
  const net = def.network;
  if (net.mode === 'bridge') return [{ slot: 0, tap: bridgeTapName(vmId) }];
  if (net.mode === 'tap') return [{ slot: 0, tap: net.tap }];
  return [];
}

/** Why the network graph leaves NICs out, in plain words; undefined when every NIC is counted. */
export function netNoteOf(def: VmDefinition): string | undefined {
  if (def.network.mode === 'none') return 'the guest has no network card';
  if (def.network.mode === 'user')
    return 'not measurable with user-mode networking (qemu keeps no per-guest counters for slirp)';
  return undefined;
}
