import { describe, expect, it } from 'vitest';
import { mergeLive, toColumns } from './points.ts';

const p = (at: number, v = at) => ({ at, v });

describe('mergeLive', () => {
  it('appends only live points newer than the fetched history', () => {
    const merged = mergeLive([p(1000), p(2000)], [p(1000), p(2000), p(3000)], 60_000);
    expect(merged.map((x) => x.at)).toEqual([1000, 2000, 3000]);
  });

  it('drops what falls out of the window ending at the newest point', () => {
    const merged = mergeLive([p(0), p(1000), p(2000)], [p(3000)], 2000);
    expect(merged.map((x) => x.at)).toEqual([1000, 2000, 3000]);
  });

  it('streams from live points alone while the history is empty', () => {
    expect(mergeLive([], [p(5000)], 1000)).toEqual([p(5000)]);
  });
});

describe('toColumns', () => {
  it('turns points into x seconds plus one column per field', () => {
    expect(toColumns([p(1000, 5), p(2000, 7)], [(x) => x.v, () => null], 1)).toEqual([
      [1, 2],
      [5, 7],
      [null, null],
    ]);
  });

  it('breaks the line where samples are missing for a while', () => {
    const cols = toColumns([p(1000, 1), p(10_000, 2)], [(x) => x.v], 1);
    expect(cols).toEqual([
      [1, 2, 10],
      [1, null, 2],
    ]);
  });
});

describe('toColumns with minute averages before the per-second points (1h after a restart)', () => {
  it('joins minute points 60 s apart and breaks only real gaps', () => {
    const minutes = [p(0), p(60_000), p(120_000)];
    const live = [p(150_000), p(151_000), p(160_000)];
    const [xs, ys] = toColumns([...minutes, ...live], [(x) => x.v], { stepSec: 1, minuteUntil: 150_000 });
    // No null between the minute points, nor between the last minute and the first second point; the
    // 9 s hole among the per-second points is a gap.
    expect(xs).toEqual([0, 60, 120, 150, 151, 152, 160]);
    expect(ys).toEqual([0, 60_000, 120_000, 150_000, 151_000, null, 160_000]);
    // Without the mark every minute point stands alone.
    const [bare] = toColumns([...minutes, ...live], [(x) => x.v], 1);
    expect(bare.length).toBeGreaterThan(xs.length);
  });
});
