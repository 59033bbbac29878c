import type { QmpClient } from '@virtweb/qmp';
import type { HostPoint, MetricPoint, MetricsTick, NicRate } from '@virtweb/protocol';
import {
  CLK_TCK,
  parseHostStat,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  parseStatmRss,
  ProcFiles,
  type HostCpuTimes,
} from './proc.ts';
import { readTapCounters, type CountedNic, type TapCounters } from './tap-counters.ts';

/** What the sampler needs of a running guest. */
export interface SampledGuest {
  id: string;
  pid: number;
  memoryBytes: number;
  qmp: Pick<QmpClient, 'execute'>;
  /** The guest's tap-backed NICs, whose traffic the taps count (user-mode NICs have no counters). */
  nics?: readonly CountedNic[];
}

interface Counters {
  at: number;
  ticks: number;
  vcpuTicks: number[];
  disk: { rd: number; wr: number; rdOps: number; wrOps: number };
  /** By slot; a NIC whose tap changed (re-made at a restart) starts over. */
  nics: Map<number, { tap: string; counters: TapCounters }>;
}

const rate = (now: number, before: number, seconds: number): number => Math.max(0, (now - before) / seconds);

/**
 * Turns cumulative counters into per-second figures, once a second for every running guest: CPU from
 * /proc/<pid>/stat, per-vCPU CPU from the vCPU threads' stat, RSS from statm, disk IO from one QMP
 * `query-blockstats` round trip (vCPU thread ids are asked once per process with `query-cpus-fast`).
 */
export class MetricsSampler {
  private readonly prev = new Map<string, Counters>();
  private readonly vcpuThreads = new Map<string, { pid: number; tids: number[] }>();
  private prevHost: HostCpuTimes | undefined;
  private readonly files = new ProcFiles();

  constructor(private readonly sysClassNet = '/sys/class/net') {}

  /** Samples every guest (in parallel) and the host; guests that vanish mid-tick are skipped. */
  async tick(guests: readonly SampledGuest[], now = Date.now()): Promise<MetricsTick> {
    const alive = new Set(guests.map((g) => g.id));
    for (const id of this.prev.keys()) if (!alive.has(id)) this.forget(id);
    const host = this.sampleHost(now);
    const points = await Promise.all(guests.map((g) => this.sampleGuest(g, now)));
    const vms = guests
      .map((g, i) => ({ id: g.id, point: points[i] }))
      .filter((v): v is { id: string; point: MetricPoint } => v.point !== undefined && v.point !== null);
    return { type: 'metrics.tick', host, vms };
  }

  forget(id: string): void {
    for (const { tap } of this.prev.get(id)?.nics.values() ?? [])
      this.files.closeUnder(`${this.sysClassNet}/${tap}/`);
    this.prev.delete(id);
    const threads = this.vcpuThreads.get(id);
    if (threads) this.files.closeUnder(`/proc/${threads.pid}/`);
    this.vcpuThreads.delete(id);
  }

  private async sampleGuest(g: SampledGuest, now: number): Promise<MetricPoint | null> {
    try {
      const [tids, blockstats] = await Promise.all([this.threadsOf(g), g.qmp.execute('query-blockstats')]);
      const statText = this.files.read(`/proc/${g.pid}/stat`);
      const statmText = this.files.read(`/proc/${g.pid}/statm`);
      const stat = statText === undefined ? null : parseProcStat(statText);
      if (!stat) return null;
      const vcpuTicks = tids.map((tid) => {
        const t = this.files.read(`/proc/${g.pid}/task/${tid}/stat`);
        return (t === undefined ? null : parseProcStat(t))?.ticks ?? 0;
      });
      const disk = { rd: 0, wr: 0, rdOps: 0, wrOps: 0 };
      for (const b of blockstats) {
        disk.rd += b.stats.rd_bytes;
        disk.wr += b.stats.wr_bytes;
        disk.rdOps += b.stats.rd_operations;
        disk.wrOps += b.stats.wr_operations;
      }
      const cur: Counters = { at: now, ticks: stat.ticks, vcpuTicks, disk, nics: this.readNics(g) };
      const before = this.prev.get(g.id);
      this.prev.set(g.id, cur);
      if (!before) return null;
      const secs = Math.max(0.001, (now - before.at) / 1000);
      const pct = (ticks: number, prevTicks: number): number =>
        rate(ticks, prevTicks, secs) * (100 / CLK_TCK);
      return {
        at: now,
        cpu: pct(cur.ticks, before.ticks),
        vcpus: vcpuTicks.map((t, i) => pct(t, before.vcpuTicks[i] ?? t)),
        rss: statmText === undefined ? 0 : (parseStatmRss(statmText) ?? 0),
        mem: g.memoryBytes,
        diskRd: rate(disk.rd, before.disk.rd, secs),
        diskWr: rate(disk.wr, before.disk.wr, secs),
        diskRdOps: rate(disk.rdOps, before.disk.rdOps, secs),
        diskWrOps: rate(disk.wrOps, before.disk.wrOps, secs),
        ...netRates(cur.nics, before.nics, secs),
      };
    } catch {
      return null;
    }
  }

  private readNics(g: SampledGuest): Counters['nics'] {
    const nics: Counters['nics'] = new Map();
    for (const { slot, tap } of g.nics ?? []) {
      const counters = readTapCounters(this.files, tap, this.sysClassNet);
      if (counters) nics.set(slot, { tap, counters });
    }
    return nics;
  }

  private async threadsOf(g: SampledGuest): Promise<number[]> {
    const known = this.vcpuThreads.get(g.id);
    if (known?.pid === g.pid) return known.tids;
    const cpus = await g.qmp.execute('query-cpus-fast');
    const tids = cpus.sort((a, b) => a['cpu-index'] - b['cpu-index']).map((c) => c['thread-id']);
    this.vcpuThreads.set(g.id, { pid: g.pid, tids });
    return tids;
  }

  private sampleHost(now: number): HostPoint {
    const statText = this.files.read('/proc/stat');
    const memText = this.files.read('/proc/meminfo');
    const loadText = this.files.read('/proc/loadavg');
    const cpuTimes = statText === undefined ? null : parseHostStat(statText);
    const mem = memText === undefined ? null : parseMeminfo(memText);
    const before = this.prevHost;
    if (cpuTimes) this.prevHost = cpuTimes;
    const cpu =
      cpuTimes && before && cpuTimes.total > before.total
        ? (100 * (cpuTimes.busy - before.busy)) / (cpuTimes.total - before.total)
        : 0;
    return {
      at: now,
      cpu,
      cpus: (statText?.match(/^cpu\d+ /gm) ?? []).length,
      memTotal: mem?.totalBytes ?? 0,
      memUsed: mem ? mem.totalBytes - mem.availableBytes : 0,
      load1: loadText === undefined ? 0 : (parseLoadavg(loadText) ?? 0),
    };
  }
}

/** Per-NIC rates of the NICs counted in both rounds on the same tap, and their sums (null when none). */
function netRates(
  cur: Counters['nics'],
  before: Counters['nics'],
  secs: number,
): Pick<MetricPoint, 'netRx' | 'netTx' | 'netRxPkts' | 'netTxPkts' | 'nics'> {
  const nics: NicRate[] = [];
  for (const [slot, now] of cur) {
    const then = before.get(slot);
    if (then?.tap !== now.tap) continue;
    const [c, p] = [now.counters, then.counters];
    nics.push({
      slot,
      rx: rate(c.rxBytes, p.rxBytes, secs),
      tx: rate(c.txBytes, p.txBytes, secs),
      rxPkts: rate(c.rxPackets, p.rxPackets, secs),
      txPkts: rate(c.txPackets, p.txPackets, secs),
    });
  }
  if (nics.length === 0) return { netRx: null, netTx: null };
  const sum = (key: 'rx' | 'tx' | 'rxPkts' | 'txPkts') => nics.reduce((s, n) => s + n[key], 0);
  nics.sort((a, b) => a.slot - b.slot);
  return { netRx: sum('rx'), netTx: sum('tx'), netRxPkts: sum('rxPkts'), netTxPkts: sum('txPkts'), nics };
}
