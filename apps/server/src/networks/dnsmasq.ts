// The dnsmasq of a managed network: DHCP and DNS on its bridge only, detached so it outlives a server restart.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Conflict, HostFault } from '../domain/errors.ts';
import { formatIpv4, gatewayOf, netmaskOf, parseCidr } from './ipv4.ts';
import { dnsDomainOf, type ManagedDefinition } from './network-definition.ts';

const execFileP = promisify(execFile);

export const DNSMASQ_BINARY = 'dnsmasq';

/** Where one network's dnsmasq keeps its files: `<data>/networks/<name>/`. */
export class NetworkFiles {
  constructor(readonly dir: string) {}
  get pidFile(): string {
    return path.join(this.dir, 'dnsmasq.pid');
  }
  get leaseFile(): string {
    return path.join(this.dir, 'leases');
  }
  /** `--dhcp-hostsfile`: `<mac>,<name>` a line, the guests' fixed names; re-read on SIGHUP. */
  get hostsFile(): string {
    return path.join(this.dir, 'dhcp-hosts');
  }
}

/**
 * dnsmasq's argv, with no configuration file (`--conf-file=/dev/null`): bound to the bridge's address only
 * (`--bind-interfaces`, so another dnsmasq or resolver on the host keeps its port 53), the guests' names under
 * `<network>.virtweb` answered locally and never forwarded. An isolated network hands out no router and
 * forwards no DNS query (no route out, no name out).
 */
export function dnsmasqArgs(def: ManagedDefinition, files: NetworkFiles, user: string): string[] {
  const cidr = parseCidr(def.subnet);
  const gateway = formatIpv4(gatewayOf(cidr));
  const domain = dnsDomainOf(def.name);
  const args = [
    '--conf-file=/dev/null',
    '--no-hosts',
    '--strict-order',
    '--bind-interfaces',
    `--interface=${def.bridge}`,
    '--except-interface=lo',
    `--listen-address=${gateway}`,
    `--pid-file=${files.pidFile}`,
    `--user=${user}`,
    `--dhcp-leasefile=${files.leaseFile}`,
    `--dhcp-hostsfile=${files.hostsFile}`,
    `--dhcp-range=${def.dhcpRange.start},${def.dhcpRange.end},${netmaskOf(cidr)},1h`,
    '--dhcp-no-override',
    '--dhcp-authoritative',
    `--domain=${domain}`,
    `--local=/${domain}/`,
    '--expand-hosts',
  ];
  if (def.kind === 'isolated') args.push('--dhcp-option=option:router', '--no-resolv', '--no-poll');
  return args;
}

/**
 * Starts dnsmasq; it forks into the background and its first process exits once the daemon runs (or with
 * the reason it cannot). @returns the daemon's pid. @throws Conflict with dnsmasq's own message when it refuses
 */
export async function startDnsmasq(
  def: ManagedDefinition,
  files: NetworkFiles,
  user: string,
): Promise<number> {
  await fs.mkdir(files.dir, { recursive: true, mode: 0o755 });
  await fs.rm(files.pidFile, { force: true });
  try {
    await execFileP(DNSMASQ_BINARY, dnsmasqArgs(def, files, user), { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new HostFault(
        'dnsmasq_missing',
        "dnsmasq is not installed: install Debian's dnsmasq-base package (scripts/setup does)",
      );
    }
    const why = e.stderr?.trim() || e.message;
    throw new Conflict('dnsmasq_failed', `dnsmasq did not start for network ${def.name}: ${why}`);
  }
  const pid = await readPid(files.pidFile);
  if (pid === undefined) {
    throw new Conflict('dnsmasq_failed', `dnsmasq started for network ${def.name} but wrote no pid file`);
  }
  return pid;
}

/**
 * The pid of this network's running dnsmasq: the one in its pid file, if that process is alive and is a
 * dnsmasq serving this bridge with this pid file (/proc/<pid>/cmdline), never another process that got the pid.
 */
export async function runningDnsmasq(
  def: ManagedDefinition,
  files: NetworkFiles,
): Promise<number | undefined> {
  const pid = await readPid(files.pidFile);
  if (pid === undefined) return undefined;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  const ours =
    path.basename(argv[0] ?? '') === DNSMASQ_BINARY &&
    argv.includes(`--interface=${def.bridge}`) &&
    argv.includes(`--pid-file=${files.pidFile}`);
  return ours ? pid : undefined;
}

/** Stops the network's dnsmasq (SIGTERM, then SIGKILL after 5 s) if it runs. */
export async function stopDnsmasq(def: ManagedDefinition, files: NetworkFiles): Promise<void> {
  const pid = await runningDnsmasq(def, files);
  if (pid === undefined) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (!alive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(pid, 'SIGKILL');
}

/**
 * Writes the fixed names (`<mac>,<name>` a line) and has a running dnsmasq read them again (SIGHUP); nothing
 * when the file already says so.
 */
export async function writeHosts(
  def: ManagedDefinition,
  files: NetworkFiles,
  hosts: readonly { mac: string; name: string }[],
): Promise<void> {
  await fs.mkdir(files.dir, { recursive: true, mode: 0o755 });
  const text = hosts.map((h) => `${h.mac},${h.name}\n`).join('');
  // Called on every change of a guest: dnsmasq is only disturbed when its names change.
  if ((await fs.readFile(files.hostsFile, 'utf8').catch(() => undefined)) === text) return;
  const tmp = `${files.hostsFile}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await fs.rename(tmp, files.hostsFile);
  const pid = await runningDnsmasq(def, files);
  if (pid !== undefined) signal(pid, 'SIGHUP');
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}
