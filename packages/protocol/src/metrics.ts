import { z } from 'zod';

/**
 * One tap-backed NIC's rates, seen from the guest: `rx` is what the guest received (the tap's transmit counter),
 * `tx` what it sent; bytes and packets per second.
 */
export const NicRateSchema = z.object({
  slot: z.number().int(),
  rx: z.number(),
  tx: z.number(),
  rxPkts: z.number(),
  txPkts: z.number(),
});
export type NicRate = z.infer<typeof NicRateSchema>;

/**
 * One sample of a guest: CPU % of one host core used by the qemu process (above 100 with several busy vCPUs),
 * per-vCPU thread CPU %, memory, and disk/net rates per second. Downsampled points carry averages plus
 * `cpuMax`. Net rates are the sum over the guest's tap-backed NICs (a tap's counters, read from sysfs); null
 * when it has none (user-mode networking keeps no per-guest counters).
 */
export const MetricPointSchema = z.object({
  at: z.number(),
  cpu: z.number(),
  cpuMax: z.number().optional(),
  vcpus: z.array(z.number()).optional(),
  rss: z.number(),
  mem: z.number(),
  diskRd: z.number(),
  diskWr: z.number(),
  diskRdOps: z.number(),
  diskWrOps: z.number(),
  netRx: z.number().nullable(),
  netTx: z.number().nullable(),
  /** Packets per second over the measured NICs (absent in points stored before NICs were measured). */
  netRxPkts: z.number().nullable().optional(),
  netTxPkts: z.number().nullable().optional(),
  /** Per measured NIC, by slot (absent when no NIC is tap-backed). */
  nics: z.array(NicRateSchema).optional(),
});
export type MetricPoint = z.infer<typeof MetricPointSchema>;

/** Host-wide figures: CPU % of all cores, memory, 1-minute load. */
export const HostPointSchema = z.object({
  at: z.number(),
  cpu: z.number(),
  cpus: z.number(),
  memTotal: z.number(),
  memUsed: z.number(),
  load1: z.number(),
});
export type HostPoint = z.infer<typeof HostPointSchema>;

export const MetricsRangeSchema = z.enum(['5m', '1h', '24h', '7d']);
export type MetricsRange = z.infer<typeof MetricsRangeSchema>;

export const VmMetricsSchema = z.object({
  range: MetricsRangeSchema,
  /** Seconds between points: 1 for 5m/1h (live ring), 60 for 24h/7d (stored minute averages). */
  step: z.number(),
  /** Why net rates are null or leave NICs out, in plain words (absent when every NIC is measured). */
  netNote: z.string().optional(),
  /**
   * 1h after a server restart: points before this time (ms) are stored minute averages, one per 60 s; the
   * per-second points start here.
   */
  minuteUntil: z.number().optional(),
  points: z.array(MetricPointSchema),
});
export type VmMetrics = z.infer<typeof VmMetricsSchema>;

/** The `metrics.tick` event: one message per second for all running guests. */
export const MetricsTickSchema = z.object({
  type: z.literal('metrics.tick'),
  host: HostPointSchema,
  vms: z.array(z.object({ id: z.string(), point: MetricPointSchema })),
});
export type MetricsTick = z.infer<typeof MetricsTickSchema>;
