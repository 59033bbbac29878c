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
