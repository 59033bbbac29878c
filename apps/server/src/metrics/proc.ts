import fs from 'node:fs';
import fsp from 'node:fs/promises';

/**
 * Parsers for the /proc files the sampler reads (pure functions over file text, so they are unit-tested with
 * captured samples). NOTE: clock ticks are USER_HZ, which is 100 on every Linux ABI Node runs on.
 */
export const CLK_TCK = 100;
export const PAGE_SIZE = 4096;

export interface ProcCpu {
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** Process start, in clock ticks after boot. */
  startTicks: number;
  state: string;
}

/** `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat`. The command name may hold spaces and ")" itself. */
export function parseProcStat(text: string): ProcCpu | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after "pid (comm)": state is field 3; utime 14, stime 15, starttime 22 (1-based in proc(5)).
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const start = Number(f[19]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { ticks: utime + stime, startTicks: start, state: f[0] ?? '?' };
}

/** Resident set size in bytes from `/proc/<pid>/statm` (second field, pages). */
export function parseStatmRss(text: string): number | null {
  const pages = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(pages) ? pages * PAGE_SIZE : null;
}

export interface HostCpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of `/proc/stat`: busy = total - idle - iowait. */
export function parseHostStat(text: string): HostCpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are already inside user/nice)
  const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** MemTotal and MemAvailable from `/proc/meminfo`, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | null {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total === undefined || available === undefined
    ? null
    : { totalBytes: total, availableBytes: available };
}

/** The 1-minute load average from `/proc/loadavg`. */
export function parseLoadavg(text: string): number | null {
  const v = Number(text.split(/\s+/)[0]);
  return Number.isFinite(v) ? v : null;
}

/** Reads a /proc file; undefined when the process is gone. */
export async function readProc(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Re-reads /proc files through descriptors kept open between ticks (as top does): /proc files are generated
 * in memory on each read from offset 0, so one pread per tick replaces open + fstat + read + close.
 */
export class ProcFiles {
  private readonly fds = new Map<string, number>();
  private readonly buf = Buffer.alloc(8192);

  /** The file's text, or undefined when it cannot be read (process gone). */
  read(file: string): string | undefined {
    let fd = this.fds.get(file);
    try {
      if (fd === undefined) {
        fd = fs.openSync(file, 'r');
        this.fds.set(file, fd);
      }
      const n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
      return this.buf.toString('latin1', 0, n);
    } catch {
      this.close(file);
      return undefined;
    }
  }

  /** Closes every descriptor whose path starts with `prefix` (e.g. "/proc/1234/"). */
  closeUnder(prefix: string): void {
    for (const file of [...this.fds.keys()]) if (file.startsWith(prefix)) this.close(file);
  }

  private close(file: string): void {
    const fd = this.fds.get(file);
    this.fds.delete(file);
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
