import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { RfbClient } from '../../apps/server/test/rfb-client.ts';

/** One timed run of the full-screen request loop on one path. */
export interface Run {
  frames: number;
  bytes: number;
  seconds: number;
  frameMs: number[];
  /** CPU seconds the relay process used during the run (our server, websockify), when there is one. */
  relayCpu: number | undefined;
}

/** Opens a client, requests frames for `warmupS` (not counted), then counts `seconds` worth of frames. */
export async function timedRun(
  open: () => Promise<RfbClient>,
  seconds: number,
  warmupS: number,
  relayPids: () => number[] = () => [],
): Promise<Run> {
  const client = await open();
  try {
    const w0 = performance.now();
    while (performance.now() - w0 < warmupS * 1000) await client.frame();
    const pids = relayPids();
    const cpu0 = cpuSeconds(pids);
    const frameMs: number[] = [];
    let bytes = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      const f = await client.frame();
      frameMs.push(f.ms);
      bytes += f.bytes;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(pids);
    return {
      frames: frameMs.length,
      bytes,
      seconds: elapsed,
      frameMs,
      relayCpu: pids.length > 0 && cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
    };
  } finally {
    client.close();
  }
}

/** utime + stime of the processes (all their threads), from /proc. */
export function cpuSeconds(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) return undefined;
    total += (Number(stat[11]) + Number(stat[12])) / 100;
  }
  return total;
}

/** The fields of /proc/<pid>/stat after the command name (state is [0], ppid [1]). */
function readStat(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined;
  }
}

/** The pids whose parent is `ppid` and whose command line contains `needle`. */
export function childPids(ppid: number, needle = ''): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => readStat(pid)?.[1] === String(ppid))
    .filter((pid) => {
      if (needle === '') return true;
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** What the table shows for one path: medians over runs, percentiles over all frames of all runs. */
export interface Summary {
  fps: number;
  mbps: number;
  p50: number;
  p99: number;
  /** Relay CPU per transferred GB (ms), median over runs. */
  cpuMsPerGB: number | undefined;
}

export function summarize(runs: Run[]): Summary {
  const all = runs.flatMap((r) => r.frameMs);
  const cpu = runs.flatMap((r) => (r.relayCpu === undefined ? [] : [(r.relayCpu * 1000) / (r.bytes / 1e9)]));
  return {
    fps: median(runs.map((r) => r.frames / r.seconds)),
    mbps: median(runs.map((r) => r.bytes / r.seconds / 1e6)),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    cpuMsPerGB: cpu.length > 0 ? median(cpu) : undefined,
  };
}
