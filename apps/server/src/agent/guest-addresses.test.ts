import { describe, expect, it } from 'vitest';
import { guestAddresses } from './guest-addresses.ts';

const iface = (name: string, ...addresses: string[]) => ({
  name,
  addresses: addresses.map((address) => ({
    family: address.includes(':') ? ('ipv6' as const) : ('ipv4' as const),
    address,
    prefix: 24,
  })),
});

describe('guestAddresses', () => {
  it('keeps routable addresses, IPv4 first, once each, from every source', () => {
    const agent = [
      iface('lo', '127.0.0.1', '::1'),
      iface('eth0', 'fec0::5054:ff:fe12:3456', '10.0.2.15', 'fe80::5054:ff:fe12:3456', 'FE80::1'),
      iface('eth1', '169.254.3.4', '192.168.122.7'),
    ];
    expect(guestAddresses({ agent, leases: ['192.168.122.7', '192.168.100.2'] })).toEqual([
      '10.0.2.15',
      '192.168.122.7',
      '192.168.100.2',
      'fec0::5054:ff:fe12:3456',
    ]);
  });

  it('is empty without sources', () => {
    expect(guestAddresses({})).toEqual([]);
  });
});
