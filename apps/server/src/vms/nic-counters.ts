import { bridgeTapName } from '../host/bridge-taps.ts';
import type { CountedNic } from '../metrics/tap-counters.ts';
import type { VmDefinition } from './definition.ts';

/** The guest's NICs that go through a host tap, whose counters the graphs read. */
export function countedNics(vmId: string, def: VmDefinition): CountedNic[] {
  return def.nics.flatMap((nic) => {
    if (nic.mode === 'bridge' || nic.mode === 'network')
      return [{ slot: nic.slot, tap: bridgeTapName(vmId, nic.slot) }];
    if (nic.mode === 'tap') return [{ slot: nic.slot, tap: nic.tap }];
    return [];
  });
}

/** Why the network graph leaves NICs out, in plain words; undefined when every NIC is counted. */
export function netNoteOf(def: VmDefinition): string | undefined {
  if (def.nics.length === 0) return 'the guest has no network card';
  const user = def.nics.filter((n) => n.mode === 'user');
  if (user.length === 0) return undefined;
  const which = user.length === def.nics.length ? '' : ` (NIC ${user.map((n) => n.slot).join(', ')})`;
  return `not measurable with user-mode networking${which} (qemu keeps no per-guest counters for slirp)`;
}
