import type { MetricPoint } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { netChart } from './vmCharts.ts';

const at = (t: number, nics: MetricPoint['nics']): MetricPoint => ({
  at: t,
  cpu: 0,
  rss: 0,
  mem: 0,
  diskRd: 0,
  diskWr: 0,
  diskRdOps: 0,
  diskWrOps: 0,
  netRx: 10,
  netTx: 20,
  netRxPkts: 1,
  netTxPkts: 2,
  ...(nics && { nics }),
});
const nic = (slot: number) => ({ slot, rx: slot, tx: slot, rxPkts: 0, txPkts: 0 });
const steps = { stepSec: 1, minuteUntil: undefined };

describe('netChart', () => {
  it('shows totals with packets on the right scale for one counted NIC', () => {
    const { series } = netChart([at(0, [nic(0)]), at(1000, [nic(0)])], steps);
    expect(series.map((s) => s.label)).toEqual(['received', 'sent', 'received pkts', 'sent pkts']);
    expect(series.filter((s) => s.axis === 'right')).toHaveLength(2);
  });

  it('adds a received/sent pair per NIC when several are counted', () => {
    const { series } = netChart([at(0, [nic(0), nic(2)]), at(1000, [nic(2)])], steps);
    expect(series.map((s) => s.label)).toEqual([
      'received',
      'sent',
      'NIC 0 received',
      'NIC 0 sent',
      'NIC 2 received',
      'NIC 2 sent',
    ]);
  });
});
