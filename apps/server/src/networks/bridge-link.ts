// The Linux bridge of a managed network, made and removed with `ip` (argv, never a shell).
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HostFault } from '../domain/errors.ts';

const execFileP = promisify(execFile);

export async function ip(args: string[]): Promise<string> {
  const { stdout } = await execFileP('ip', args, { timeout: 10_000 });
  return stdout;
}

function ipError(err: unknown): string {
  return (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
}

export function interfaceExists(name: string, sysClassNet = '/sys/class/net'): Promise<boolean> {
  return fs.access(path.join(sysClassNet, name)).then(
    () => true,
    () => false,
  );
}

export function isBridge(name: string, sysClassNet = '/sys/class/net'): Promise<boolean> {
  return fs.access(path.join(sysClassNet, name, 'bridge')).then(
    () => true,
    () => false,
  );
}

/**
 * Makes `bridge` (if missing) with `address/prefix` (if missing) and up: what is already there is kept, so a
 * network found half up at a restart is completed, never torn down under its guests.
 * @throws HostFault with `ip`'s words
 */
export async function ensureBridge(bridge: string, address: string, prefix: number): Promise<void> {
  try {
    if (!(await interfaceExists(bridge))) await ip(['link', 'add', 'name', bridge, 'type', 'bridge']);
    const info = JSON.parse(await ip(['-j', '-4', 'addr', 'show', 'dev', bridge])) as {
      addr_info?: { local?: string; prefixlen?: number }[];
    }[];
    const has = (info[0]?.addr_info ?? []).some((a) => a.local === address && a.prefixlen === prefix);
    if (!has) await ip(['addr', 'add', `${address}/${prefix}`, 'dev', bridge]);
    await ip(['link', 'set', 'dev', bridge, 'up']);
  } catch (err) {
    throw new HostFault('bridge_failed', `cannot set up bridge ${bridge}: ${ipError(err)}`);
  }
}

/** Removes the bridge if it exists. Never rejects. */
export async function deleteBridge(bridge: string): Promise<void> {
  if (await interfaceExists(bridge)) await ip(['link', 'delete', 'dev', bridge]).catch(() => undefined);
}
