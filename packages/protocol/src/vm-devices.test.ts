import { describe, expect, it } from 'vitest';
import { cpuListText, parseCpuList } from './vm-devices.ts';

describe('CPU lists', () => {
  it('writes and reads the taskset form', () => {
    expect(cpuListText([3, 0, 1, 2, 5, 7, 8])).toBe('0-3,5,7-8');
    expect(cpuListText([1, 1])).toBe('1');
    expect(parseCpuList(' 0-3, 5,7 - 8 ')).toEqual([0, 1, 2, 3, 5, 7, 8]);
    expect(parseCpuList('')).toEqual([]);
    for (const bad of ['a', '1-', '3-1', '1,,2', '-1', '12345']) expect(parseCpuList(bad)).toBeNull();
  });
});
