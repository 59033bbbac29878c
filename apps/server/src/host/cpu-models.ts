import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The host's CPU as the guests' CPU model choice needs it: its name and its feature flags. */
export interface HostCpu {
  model: string;
  flags: string[];
}

/** Model name and flags of the first CPU in /proc/cpuinfo (empty when unreadable). */
export async function hostCpu(cpuinfoPath = '/proc/cpuinfo'): Promise<HostCpu> {
  const text = await fs.readFile(cpuinfoPath, 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  const flags = /^flags\s*:(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
  return { model, flags: flags.sort() };
}

/**
 * qemu's named x86 CPU models (`-cpu help`: lines `x86 <name> ...`), with its own `host` and `max`.
 * @throws Error when qemu cannot be run
 */
export async function qemuCpuModels(binary: string): Promise<string[]> {
  const { stdout } = await execFileP(binary, ['-cpu', 'help'], { timeout: 10_000 });
  return parseCpuHelp(stdout);
}

export function parseCpuHelp(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = /^x86\s+(\S+)/.exec(line)?.[1];
    if (name !== undefined) names.add(name);
  }
  return [...names].sort((a, b) => a.localeCompare(b));
}
