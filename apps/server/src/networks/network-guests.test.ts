import { describe, expect, it } from 'vitest';
import { dnsLabelOf, hostEntriesOf } from './network-guests.ts';

describe('dnsLabelOf', () => {
  it('makes a DNS label of a guest name', () => {
    expect(dnsLabelOf('Web Server #1')).toBe('web-server-1');
    expect(dnsLabelOf('--a--')).toBe('a');
    expect(dnsLabelOf('***')).toBeUndefined();
    expect(dnsLabelOf('x'.repeat(80))).toHaveLength(63);
  });

  it('lists each guest MAC with its label, a label once, malformed MACs left out', () => {
    expect(
      hostEntriesOf([
        { name: 'Alpha', macs: ['52:54:00:AA:00:01', 'bad'], running: true },
        { name: 'alpha', macs: ['52:54:00:aa:00:02'], running: false },
        { name: 'beta', macs: ['52:54:00:aa:00:03'], running: false },
      ]),
    ).toEqual([
      { mac: '52:54:00:aa:00:01', name: 'alpha' },
      { mac: '52:54:00:aa:00:03', name: 'beta' },
    ]);
  });
});
