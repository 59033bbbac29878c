import { describe, expect, it } from 'vitest';
import { formatOps, formatPercent, formatRate, formatValue } from './format.ts';

describe('chart value formats', () => {
  it('writes CPU shares with one decimal below 10%', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.42)).toBe('0.4%');
    expect(formatPercent(12.6)).toBe('13%');
    expect(formatPercent(187.2)).toBe('187%');
  });

  it('writes byte rates with binary units per second', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(12_800)).toBe('12.5 KiB/s');
    expect(formatRate(3 * 2 ** 20)).toBe('3 MiB/s');
  });

  it('writes IO operations per second', () => {
    expect(formatOps(3.5)).toBe('3.5 ops/s');
    expect(formatOps(42)).toBe('42 ops/s');
    expect(formatOps(1250)).toBe('1.3k ops/s');
  });

  it('writes network packets per second', () => {
    expect(formatValue('pkts', 0.5)).toBe('0.5 pkts/s');
    expect(formatValue('pkts', 2400)).toBe('2.4k pkts/s');
  });

  it('shows a dash for what was not measured', () => {
    expect(formatValue('rate', null)).toBe('—');
    expect(formatValue('bytes', 256 * 2 ** 20)).toBe('256 MiB');
  });
});
