// Shared by the supervisor tests (not exported from the package): tiny TCG guests and leftover cleanup.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArgv } from '../argv.ts';
import { runtimePaths, type RuntimePaths, type VmSpec } from '../spec.ts';
import { isAlive } from './pid.ts';
import { startQemu } from './start.ts';
import type { QemuProcess } from './process.ts';

export const QEMU = process.env.VIRTWEB_QEMU ?? 'qemu-system-x86_64';

/** No disks, no OS: SeaBIOS finds nothing to boot, so the guest ignores ACPI powerdown. */
export const TINY: VmSpec = { name: 'tiny', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };

/** A temp dir (short path: unix sockets) and the pids started in it, all cleaned up by `cleanup()`. */
export class Sandbox {
  readonly pids = new Set<number>();
  readonly procs: QemuProcess[] = [];
  #dirs: string[] = [];

  async dir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'vwq-'));
    this.#dirs.push(d);
    return d;
  }

  async paths(name = 'run'): Promise<RuntimePaths> {
    return runtimePaths(join(await this.dir(), name));
  }

  /** Starts a tiny paused guest (plus `extra` argv). */
  async start(paths?: RuntimePaths, extra: string[] = [], spec: VmSpec = TINY): Promise<QemuProcess> {
    const p = paths ?? (await this.paths());
    const proc = await startQemu({
      binary: QEMU,
      argv: [...buildArgv(spec, p, { startPaused: true }), ...extra],
      paths: p,
    });
    this.track(proc.pid);
    this.procs.push(proc);
    return proc;
  }

  track(pid: number): void {
    this.pids.add(pid);
  }

  async cleanup(): Promise<void> {
    for (const pid of this.pids) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await Promise.all(this.procs.map((p) => p.detach()));
    for (const pid of this.pids) await waitDead(pid);
    await Promise.all(this.#dirs.map((d) => rm(d, { recursive: true, force: true })));
    this.pids.clear();
    this.procs.length = 0;
    this.#dirs = [];
  }
}

export async function waitDead(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Real-mode code for a boot sector: ACPI S5 through the PM1a control port SeaBIOS sets up at 0x604. */
export const POWEROFF_CODE = [0xba, 0x04, 0x06, 0xb8, 0x00, 0x20, 0xef, 0xf4, 0xeb, 0xfd];
/** Real-mode code: write 1 ("panicked") to the pvpanic ISA port 0x505. */
export const PANIC_CODE = [0xb0, 0x01, 0xba, 0x05, 0x05, 0xee, 0xf4, 0xeb, 0xfd];

/** A 1 MiB raw disk whose MBR runs `code` (SeaBIOS loads it at 0:7c00). */
export async function writeBootDisk(path: string, code: number[]): Promise<void> {
  const disk = Buffer.alloc(1 << 20);
  Buffer.from(code).copy(disk);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  await writeFile(path, disk);
}

/** Number of pending timers of this process (to check that nothing is left running). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** `info qtree` as device id -> the bus it sits on (the nearest `bus:` line less indented than the device). */
export function busesInQtree(qtree: string): Map<string, string> {
  const map = new Map<string, string>();
  const buses: { indent: number; name: string }[] = [];
  for (const line of qtree.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const bus = /^\s*bus: (\S+)/.exec(line)?.[1];
    const dev = /^\s*dev: [\w-]+, id "([^"]+)"/.exec(line)?.[1];
    if (bus === undefined && dev === undefined) continue;
    while ((buses.at(-1)?.indent ?? -1) >= indent) buses.pop();
    if (bus !== undefined) buses.push({ indent, name: bus });
    const parent = buses.at(-1);
    if (dev !== undefined && parent !== undefined) map.set(dev, parent.name);
  }
  return map;
}
