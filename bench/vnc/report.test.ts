import { describe, expect, it } from 'vitest';
import { summarize, type Run } from './measure.ts';
import { pairedRatio, table, type PathRow } from './report.ts';

function row(label: string, mbPerRound: number[]): PathRow {
  const runs: Run[] = mbPerRound.map((mb) => ({
    frames: mb,
    bytes: mb * 1e6,
    seconds: 1,
    frameMs: [1],
    relayCpu: undefined,
  }));
  return { label, runs, summary: summarize(runs) };
}

describe('pairedRatio', () => {
  it('is the median of the per-round ratios, not the ratio of the medians', () => {
    // The machine's speed swings between rounds; within each round, a is 1.25x b, but in round 5 a stumbled.
    const b = row('websockify', [1000, 100, 1000, 100, 1000]);
    const a = row('virtweb', [1250, 125, 1250, 125, 140]);
    expect(a.summary.mbps / b.summary.mbps).toBeCloseTo(0.14); // ratio of medians: 140 / 1000
    expect(pairedRatio(a, b, 'mbps')).toBeCloseTo(1.25);
    expect(pairedRatio(b, a, 'mbps')).toBeCloseTo(0.8);
  });

  it('shows the paired ratios in the table', () => {
    const text = table(
      't',
      [row('virtweb x', [130, 260]), row('websockify y', [100, 200]), row('raw z', [200, 400])],
      'mbps',
    );
    expect(text).toMatch(/virtweb x .* 1\.30x +0\.65x/);
    expect(text).toMatch(/raw z .* 2\.00x +1\.00x/);
  });
});
