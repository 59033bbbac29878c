import { z } from 'zod';
import type { BalloonInfo, GuestMemory } from '@virtweb/protocol';
import { BALLOON_ID } from '@virtweb/qemu';
import type { QmpClient } from '@virtweb/qmp';

/** How often qemu asks the guest's balloon driver for its memory statistics, in seconds. */
export const GUEST_STATS_INTERVAL_SEC = 2;
/** After this long without figures the guest is taken not to report them (a driver answers the first poll). */
const WAIT_FOR_STATS_MS = 3 * GUEST_STATS_INTERVAL_SEC * 1000 + 1000;
const BALLOON_PATH = `/machine/peripheral/${BALLOON_ID}`;
const MiB = 2 ** 20;

// NOTE: qemu's `guest-stats` holds every statistic it knows; one the guest does not give is -1, and
// `last-update` (seconds since the epoch, from the host's clock) is 0 until the guest has answered once.
const GuestStatsSchema = z.object({
  stats: z.record(z.string(), z.number()),
  'last-update': z.number(),
});

/** The guest's memory from qemu's `guest-stats`, or undefined when it has given no usable figures. */
export function guestMemoryOf(raw: unknown): GuestMemory | undefined {
  const parsed = GuestStatsSchema.safeParse(raw);
  if (!parsed.success || parsed.data['last-update'] <= 0) return undefined;
  const { stats } = parsed.data;
  const mib = (key: string): number | undefined => {
    const v = stats[key];
    return v === undefined || v < 0 ? undefined : Math.round(v / MiB);
  };
  const total = mib('stat-total-memory');
  const free = mib('stat-free-memory');
  if (total === undefined || free === undefined || total === 0 || free > total) return undefined;
  const available = mib('stat-available-memory');
  return {
    totalMiB: total,
    usedMiB: total - Math.min(available ?? free, total),
    freeMiB: free,
    ...(available !== undefined && { availableMiB: available }),
    updatedAt: new Date(parsed.data['last-update'] * 1000).toISOString(),
  };
}

/** When virtweb asked each qemu (by its QMP connection) to poll its guest's statistics. */
const pollingSince = new WeakMap<QmpClient, number>();

/**
 * The guest's own memory use from its balloon's statistics. The first call for a qemu turns polling on (qemu
 * keeps it, and its last figures, for its life); until figures arrive the guest is `waiting`, and one that
 * gives none within a few polls does `not-reported`.
 * @throws what QMP throws when qemu refuses
 */
export async function guestStats(
  qmp: QmpClient,
  now = Date.now(),
): Promise<Pick<BalloonInfo, 'guestStats' | 'guest'>> {
  let since = pollingSince.get(qmp);
  if (since === undefined) {
    await qmp.execute('qom-set', {
      path: BALLOON_PATH,
      property: 'guest-stats-polling-interval',
      value: GUEST_STATS_INTERVAL_SEC,
    });
    since = now;
    pollingSince.set(qmp, since);
  }
  const guest = guestMemoryOf(await qmp.execute('qom-get', { path: BALLOON_PATH, property: 'guest-stats' }));
  if (guest) return { guestStats: 'reported', guest };
  return { guestStats: now - since < WAIT_FOR_STATS_MS ? 'waiting' : 'not-reported' };
}
