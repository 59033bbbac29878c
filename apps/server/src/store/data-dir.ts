import fs from 'node:fs';

/**
 * Creates the data dir and its subdirs (guests' disks, memory states, UEFI variables, sockets, the database)
 * as 0700, and narrows existing ones with wider modes: only the server's user may enter them.
 */
export function preparePrivateDirs(dirs: string[]): void {
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
}
