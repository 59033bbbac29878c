/** A user id and the one group id a qemu process gets (no supplementary groups). */
export interface QemuIdentity {
  uid: number;
  gid: number;
}

/** How a program is spawned as another user: the command, its arguments and the ids Node switches to itself. */
export interface SpawnAs {
  command: string;
  args: string[];
  ids?: QemuIdentity;
}

/** util-linux's setpriv (Debian: always installed). */
export const SETPRIV = '/usr/bin/setpriv';

/**
 * Spawning `binary` as `runAs`. A root server lets Node switch (libuv drops the supplementary groups, then
 * setgid/setuid before execve; root → non-root clears every capability).
 * NOTE: a server that is not root switches with the CAP_SETUID/CAP_SETGID its service gave it as ambient
 * capabilities, and a switch between two non-root users keeps the ambient set across execve: qemu would hold
 * them. setpriv switches, drops the groups and clears the inheritable and ambient sets before it runs qemu,
 * which then starts with no capability at all.
 */
export function spawnAs(
  binary: string,
  argv: readonly string[],
  runAs: QemuIdentity | undefined,
  serverUid: number = process.getuid?.() ?? 0,
): SpawnAs {
  if (runAs === undefined) return { command: binary, args: [...argv] };
  if (serverUid === 0) return { command: binary, args: [...argv], ids: runAs };
  return {
    command: SETPRIV,
    args: [
      `--reuid=${runAs.uid}`,
      `--regid=${runAs.gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--',
      binary,
      ...argv,
    ],
  };
}
