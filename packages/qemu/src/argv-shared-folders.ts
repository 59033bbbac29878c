// Shared folders: virtiofs through `vhost-user-fs-pci`, each one served by a virtiofsd on a unix socket that
// qemu connects to; the guest mounts one by its tag (`mount -t virtiofs <tag> /mnt`).
import { isAbsolute } from 'node:path';
import { escapeOptValue, type Fail } from './argv-opts.ts';
import type { SharedFolderSpec } from './spec.ts';

/** At most this many shared folders per guest. */
export const MAX_SHARED_FOLDERS = 8;
/** virtiofs tags: what the guest's `mount -t virtiofs` takes; the kernel's limit is 36 bytes. */
export const SHARED_FOLDER_TAG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,35}$/;
/** qemu's ids of shared folder `i`: its chardev and its vhost-user-fs device. */
export function sharedFolderIds(i: number): { chardev: string; device: string } {
  return { chardev: `fs${i}`, device: `fs${i}-dev` };
}

/** `-chardev` + `-device` per shared folder. */
export function sharedFolderArgs(folders: readonly SharedFolderSpec[]): string[] {
  return folders.flatMap((f, i) => {
    const { chardev, device } = sharedFolderIds(i);
    return [
      ...['-chardev', `socket,id=${chardev},path=${escapeOptValue(f.socket)}`],
      ...['-device', `vhost-user-fs-pci,id=${device},chardev=${chardev},tag=${f.tag}`],
    ];
  });
}

export function validateSharedFolders(folders: readonly SharedFolderSpec[], fail: Fail): void {
  if (folders.length > MAX_SHARED_FOLDERS)
    fail(`at most ${MAX_SHARED_FOLDERS} shared folders, not ${folders.length}`);
  const tags = new Set<string>();
  for (const f of folders) {
    if (!SHARED_FOLDER_TAG.test(f.tag)) fail(`shared folder tag is not a valid virtiofs tag: ${f.tag}`);
    if (tags.has(f.tag)) fail(`shared folder tag used twice: ${f.tag}`);
    tags.add(f.tag);
    if (!isAbsolute(f.socket)) fail(`shared folder socket path is not absolute: ${f.socket}`);
  }
}
