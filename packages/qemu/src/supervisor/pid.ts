// Facts about a qemu pid from /proc: alive (not a zombie) and started for this run directory.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { escapeOptValue } from '../argv.ts';
import type { RuntimePaths } from '../spec.ts';

/** The pid written by qemu's `-pidfile`, or null when the file is missing or unreadable. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie (a dead qemu whose parent has not reaped it yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may contain spaces and parentheses, so cut at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * True when `pid` is a live qemu serving this run directory's QMP socket. Guards against pid reuse: a pid from a
 * stale pidfile may belong to an unrelated process by now.
 */
export function isOurQemu(pid: number, paths: RuntimePaths): boolean {
  if (!isAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const qmpArg = `unix:${escapeOptValue(paths.qmp)},`;
    return args.some((a) => a.startsWith(qmpArg));
  } catch {
    return false;
  }
}
