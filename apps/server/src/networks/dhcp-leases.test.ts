import { describe, expect, it } from 'vitest';
import { parseLeases } from './dhcp-leases.ts';

describe('parseLeases', () => {
  it('reads dnsmasq lease lines, infinite leases and missing hostnames', () => {
    const text = [
      '1765130400 52:54:00:AB:cd:01 10.0.0.130 alpha 01:52:54:00:ab:cd:01',
      '0 52:54:00:ab:cd:02 10.0.0.131 * *',
      'garbage line',
      '',
    ].join('\n');
    expect(parseLeases(text)).toEqual([
      {
        expiresAt: new Date(1765130400 * 1000).toISOString(),
        mac: '52:54:00:ab:cd:01',
        ip: '10.0.0.130',
        hostname: 'alpha',
      },
      { expiresAt: null, mac: '52:54:00:ab:cd:02', ip: '10.0.0.131', hostname: null },
    ]);
  });
});
