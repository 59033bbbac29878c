// The disks of a migration: whether both hosts share one image store, and so whether the target's image of a
// disk's name is the disk itself, another file of that name, or an old copy an earlier move left behind.
// NOTE: "shared storage" is decided by the store ids alone (`images/store-id.ts`), never by names and sizes:
// after a move with copy storage the source keeps an old copy of the same name and size, and taking it for
// the disk booted that stale copy.
import { formatBytes, type Image, type LeftBehind, type MigrationCheck } from '@virtweb/protocol';
import type { LocalFacts, PeerFacts } from './facts.ts';

type ReachablePeer = PeerFacts & { reachable: true };

/** Whether both hosts see one image store, and the words for it. */
export function sharedStorage(
  localStoreId: string,
  peer: { name: string; storeId: string | undefined },
): { shared: boolean; words: string } {
  if (peer.storeId === undefined) {
    return {
      shared: false,
      words: `${peer.name} does not say which image store it uses (an older virtweb), so it counts as another`,
    };
  }
  if (peer.storeId === localStoreId) return { shared: true, words: 'both hosts use one image store' };
  return { shared: false, words: 'different image stores' };
}

/** "an old copy left behind by moving web1 to host-b on 2026-01-01 12:00 UTC" */
export function oldCopyWords(mark: LeftBehind): string {
  return `an old copy left behind by moving ${mark.vmName} to ${mark.host} on ${when(mark.movedAt)}`;
}

function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The old copies on the peer that a move with copy storage replaces (deletes there before copying): disks of
 * the VM whose name the peer has as a marked old copy, in another store. The disk check refuses the move when
 * one of them is in use there.
 */
export function oldCopiesToReplace(local: LocalFacts, peer: ReachablePeer, copyStorage: boolean): Image[] {
  if (!copyStorage || sharedStorage(local.storeId, peer).shared) return [];
  const disks = new Set(local.vm.disks.map((d) => d.image));
  return peer.images.filter((i) => disks.has(i.name) && i.leftBehind !== undefined);
}

const check = (ok: boolean, detail: string): MigrationCheck => ({ name: 'disks', ok, detail });

/**
 * The disks check. One image store: the peer's files are the disks (copy storage is refused: it would copy a
 * file onto itself). Two stores: the disks must be copied; a peer's file of the same name is refused, except
 * an unused old copy left behind by an earlier move, which the copy replaces.
 */
export function diskCheck(
  local: LocalFacts,
  peer: ReachablePeer,
  copyStorage: boolean,
  live: boolean,
): MigrationCheck {
  const { vm } = local;
  if (vm.disks.length === 0) return check(true, 'no disks');
  const store = sharedStorage(local.storeId, peer);
  const missingHere = vm.disks.filter((d) => !local.images.has(d.image)).map((d) => d.image);
  if (missingHere.length > 0) return check(false, `${missingHere.join(', ')} missing on this host`);
  const n = vm.disks.length === 1 ? '1 disk' : `${vm.disks.length} disks`;
  if (store.shared) return sharedDisks(local, peer, copyStorage, n);
  if (!copyStorage) {
    const notes = vm.disks.flatMap((d) => {
      const there = peer.images.find((i) => i.name === d.image);
      if (there === undefined) return [];
      const what = there.leftBehind
        ? `${oldCopyWords(there.leftBehind)}, not the current disk`
        : 'another file';
      return [`${d.image} on ${peer.name} is ${what}`];
    });
    const names = vm.disks.map((d) => d.image).join(', ');
    const why = `the disks (${names}) are not on shared storage (${store.words}): turn on "copy storage" to copy them`;
    return check(false, [why, ...notes].join('; '));
  }
  const problems: string[] = [];
  const replaced: string[] = [];
  let bytes = 0;
  for (const d of vm.disks) {
    const here = local.images.get(d.image);
    bytes += here?.virtualSize ?? 0;
    const there = peer.images.find((i) => i.name === d.image);
    if (there?.leftBehind && there.usedBy.length > 0) {
      problems.push(
        `${d.image} on ${peer.name} is ${oldCopyWords(there.leftBehind)}, and a VM there uses it: ` +
          'remove it from that VM first',
      );
    } else if (there?.leftBehind) {
      replaced.push(`${d.image} (${oldCopyWords(there.leftBehind)})`);
    } else if (there) {
      problems.push(
        `${d.image} exists on ${peer.name} as another file (${store.words}): delete it there, or convert ` +
          'this disk to a new name',
      );
    }
    if (!live && here?.backingFile !== undefined) {
      problems.push(
        `${d.image} is an overlay on ${here.backingFile}: an offline copy sends one file, convert it first`,
      );
    }
  }
  if (problems.length > 0) return check(false, problems.join('; '));
  const copied = `copy storage: ${n} (${formatBytes(bytes)}) copied to ${peer.name}; the originals stay here, marked as old copies`;
  return check(
    true,
    replaced.length === 0 ? copied : `${copied}; replaces on ${peer.name}: ${replaced.join(', ')}`,
  );
}

function sharedDisks(
  local: LocalFacts,
  peer: ReachablePeer,
  copyStorage: boolean,
  n: string,
): MigrationCheck {
  if (copyStorage) {
    return check(
      false,
      `both hosts use one image store (shared storage): the disks are already there, migrate without copy storage`,
    );
  }
  const problems: string[] = [];
  for (const d of local.vm.disks) {
    const here = local.images.get(d.image);
    const there = peer.images.find((i) => i.name === d.image);
    if (!there) problems.push(`${d.image} is missing on ${peer.name}, although it uses this image store`);
    else if (here && there.virtualSize !== here.virtualSize) {
      problems.push(
        `${d.image} is ${formatBytes(there.virtualSize)} on ${peer.name} and ${formatBytes(here.virtualSize)} here`,
      );
    } else if (there.usedBy.length > 0) problems.push(`${d.image} is used by another VM on ${peer.name}`);
  }
  if (problems.length > 0) return check(false, problems.join('; '));
  return check(true, `${n} on shared storage: ${peer.name} uses this image store, the same files`);
}
