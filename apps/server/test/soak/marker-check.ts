// The markers read back from a disk (through its guest, or from the file at the end) against what it must
// hold; each loss is reported once, with the VM's last reverts, and then taken as the disk's new state.
import type { DiskModel } from './disk-model.ts';
import type { SoakContext } from './op-kit.ts';

export function checkMarkers(ctx: SoakContext, disk: DiskModel, found: Set<string>, where: string): void {
  const { world, log } = ctx;
  const lost = [...disk.present].filter((m) => !found.has(m));
  const back = [...disk.absent].filter((m) => found.has(m));
  const list = (ms: string[]) =>
    ms
      .slice(0, 8)
      .map(
        (m) =>
          `${m} (slot ${world.markers.get(m)?.slot ?? '?'}, synced ${log.stamp(world.markers.get(m)?.issuedAt)})`,
      )
      .join(', ');
  const guest = world.guests.find((g) => g.disks.includes(disk));
  const reverts = (guest?.reverts ?? [])
    .map((r) => `#${r.op} ${r.snapshot} -> ${r.status} at ${log.stamp(r.at)}`)
    .join('; ');
  const context = guest ? ` (${guest.name}'s last reverts: ${reverts || 'none'})` : '';
  if (lost.length > 0)
    ctx.violation(
      'marker lost',
      `${disk.image}: ${lost.length} synced marker(s) missing ${where}: ${list(lost)}${context}`,
    );
  if (back.length > 0)
    ctx.violation(
      'marker back',
      `${disk.image}: ${back.length} marker(s) that a successful revert rolled back are there again ${where}: ${list(back)}${context}`,
    );
  disk.rebase(lost, back);
}
