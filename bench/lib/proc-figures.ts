// A process's CPU and memory from /proc, for the benches that measure the server.
import fs from 'node:fs/promises';
import { CLK_TCK, parseProcStat } from '../../apps/server/src/metrics/proc.ts';

async function ticks(pid: number): Promise<number> {
  const stat = parseProcStat(await fs.readFile(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) throw new Error(`cannot read /proc/${pid}/stat`);
  return stat.ticks;
}

/** % of one core `pid` used over the next `seconds` (utime + stime). */
export async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const t0 = performance.now();
  const c0 = await ticks(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = await ticks(pid);
  return ((c1 - c0) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
}

/** CPU seconds `pid` has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  return (await ticks(pid)) / CLK_TCK;
}

/** Resident memory of `pid` in MiB (VmRSS). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? NaN : Number(kb) / 1024;
}
