import { describe, expect, it } from 'vitest';
import { median, quantile, summarize } from './stats.ts';
import { compareFigures } from './results.ts';

describe('quantile', () => {
  it('picks the nearest-rank sample', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantile(xs, 0.5)).toBe(5);
    expect(quantile(xs, 0.9)).toBe(9);
    expect(quantile(xs, 0.99)).toBe(10);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });
  it('median averages the middle pair', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summarize([1, 2, 3]).max).toBe(3);
  });
});

describe('compareFigures', () => {
  it('pairs the figures both runs have', () => {
    const rows = compareFigures({ a: 10, b: 0, gone: 1 }, { a: 15, b: 2, added: 3 });
    expect(rows).toEqual([
      { key: 'a', old: 10, now: 15, change: 1.5 },
      { key: 'b', old: 0, now: 2, change: NaN },
    ]);
  });
});
