import { describe, expect, it } from 'vitest';
import { parseHostStat, parseLoadavg, parseMeminfo, parseProcStat, parseStatmRss } from './proc.ts';

describe('/proc parsers', () => {
  it('reads utime+stime and state from stat, even with spaces and ")" in the command name', () => {
    const text =
      '4242 (qemu-system-x86 (CPU 0/TCG)) S 1 4242 4242 0 -1 4194560 3507 0 0 0 1234 567 0 0 20 0 3 0 279488 3133440 388 18446744073709551615';
    expect(parseProcStat(text)).toEqual({ ticks: 1801, startTicks: 279488, state: 'S' });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads RSS pages from statm', () => {
    expect(parseStatmRss('765 442 414 5 0 123 0\n')).toBe(442 * 4096);
  });

  it('computes host busy and total ticks from the aggregate cpu line', () => {
    const text = 'cpu  100 10 50 800 40 0 5 0 0 0\ncpu0 50 5 25 400 20 0 2 0 0 0\n';
    expect(parseHostStat(text)).toEqual({ busy: 165, total: 1005 });
    expect(parseHostStat('intr 1 2 3')).toBeNull();
  });

  it('reads memory and load', () => {
    expect(parseMeminfo('MemTotal:       24684092 kB\nMemFree: 1 kB\nMemAvailable:   23763764 kB\n')).toEqual(
      {
        totalBytes: 24684092 * 1024,
        availableBytes: 23763764 * 1024,
      },
    );
    expect(parseMeminfo('MemTotal: 1 kB')).toBeNull();
    expect(parseLoadavg('2.10 2.08 1.68 7/148 3004\n')).toBe(2.1);
  });
});
