// NICs of a request made whole: a model from the OS preset, the lowest free slot, a MAC unique on this server.
import crypto from 'node:crypto';
import { MAX_NICS, type Nic, type NicModel, type NicRequestSchema } from '@virtweb/protocol';
import type { z } from 'zod';

type NicRequest = z.output<typeof NicRequestSchema>;

/** qemu's MAC for a NIC without one: every guest of an older virtweb had it (so two on one bridge clashed). */
export const LEGACY_MAC = '52:54:00:12:34:56';

/**
 * A random MAC in qemu/KVM's locally used prefix 52:54:00 that is not in `taken`. 2^24 addresses: a clash
 * with a few thousand taken is rare, so a few tries always find one.
 */
export function randomMac(
  taken: ReadonlySet<string>,
  random: (n: number) => Buffer = crypto.randomBytes,
): string {
  for (;;) {
    const mac = ['52', '54', '00', ...[...random(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
    if (!taken.has(mac) && mac !== LEGACY_MAC) return mac;
  }
}

/**
 * The NICs a request asks for. A NIC without a slot takes the lowest free one; without a model the preset's;
 * without a MAC the one `current` has in that slot (an edit keeps it), else a new one unique against `taken`
 * (every MAC of the other guests) and the request's own.
 */
export function nicsWithDefaults(
  requested: readonly NicRequest[],
  presetModel: NicModel,
  taken: ReadonlySet<string>,
  current: readonly Nic[] = [],
  random?: (n: number) => Buffer,
): Nic[] {
  const usedSlots = new Set(requested.flatMap((n) => (n.slot === undefined ? [] : [n.slot])));
  const free = [...Array(MAX_NICS).keys()].filter((s) => !usedSlots.has(s));
  const macs = new Set([...taken, ...requested.flatMap((n) => (n.mac === undefined ? [] : [n.mac]))]);
  const nics = requested.map((n): Nic => {
    // The schema allows at most MAX_NICS NICs with distinct slots, so a free slot is always left.
    const slot = n.slot ?? free.shift() ?? MAX_NICS;
    const mac = n.mac ?? current.find((c) => c.slot === slot)?.mac ?? randomMac(macs, random);
    macs.add(mac);
    return { ...n, slot, mac, model: n.model ?? presetModel };
  });
  return nics.sort((a, b) => a.slot - b.slot);
}

/** What a request without `nics` gets: one user-mode NAT NIC (in slot 0). */
export const DEFAULT_NIC_REQUEST: NicRequest = { mode: 'user', portForwards: [], linkUp: true };

/** Every MAC of the guests in `records` but `exceptId`. */
export function macsOf(
  records: readonly { id: string; definition: { nics: readonly { mac: string }[] } }[],
  exceptId?: string,
): Set<string> {
  return new Set(
    records.filter((r) => r.id !== exceptId).flatMap((r) => r.definition.nics.map((n) => n.mac)),
  );
}
