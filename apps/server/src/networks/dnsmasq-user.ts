// Who dnsmasq runs as once it has bound its sockets.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** `<data>/networks`, 0711: dnsmasq's user passes through it to its network's files. */
export async function prepareNetworksDir(networksDir: string): Promise<void> {
  await fs.mkdir(networksDir, { recursive: true, mode: 0o711 });
  await fs.chmod(networksDir, 0o711);
}

/**
 * `dnsmasq` (the user Debian's dnsmasq-base makes) when it exists and may pass through the data dir to the
 * networks' files: dnsmasq reads its hosts file again on SIGHUP as that user. The data dir is private (0700),
 * so that user gets an ACL entry to pass through it only (`u:dnsmasq:x`), as qemu's user does, at each network's
 * start or adoption (a server start narrows the data dir to 0700 again, and a host without networks keeps it so).
 * Without the user or setfacl it stays root.
 */
export async function dnsmasqUser(dataDir: string): Promise<string> {
  try {
    await execFileP('getent', ['passwd', 'dnsmasq'], { timeout: 10_000 });
    await execFileP('setfacl', ['-m', 'u:dnsmasq:x', dataDir], { timeout: 10_000 });
    return 'dnsmasq';
  } catch {
    return 'root';
  }
}
