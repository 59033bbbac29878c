import { describe, expect, it } from 'vitest';
import {
  defaultDhcpRange,
  formatIpv4,
  gatewayOf,
  isHostOf,
  netmaskOf,
  overlaps,
  parseCidr,
  parseIpv4,
} from './ipv4.ts';

describe('ipv4', () => {
  it('parses and formats addresses', () => {
    expect(formatIpv4(parseIpv4('192.168.122.1'))).toBe('192.168.122.1');
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(() => parseIpv4('1.2.3')).toThrow();
    expect(() => parseIpv4('1.2.3.256')).toThrow();
  });

  it('parses subnets and refuses host bits', () => {
    const c = parseCidr('10.20.0.0/16');
    expect(formatIpv4(c.broadcast)).toBe('10.20.255.255');
    expect(() => parseCidr('10.20.0.1/16')).toThrow(/host bits/);
    expect(formatIpv4(parseCidr('10.20.3.7/16', false).network)).toBe('10.20.0.0');
  });

  it('derives the gateway, netmask and DHCP pool', () => {
    const c = parseCidr('192.168.122.0/24');
    expect(formatIpv4(gatewayOf(c))).toBe('192.168.122.1');
    expect(netmaskOf(c)).toBe('255.255.255.0');
    expect(defaultDhcpRange(c)).toEqual({ start: '192.168.122.128', end: '192.168.122.254' });
    expect(defaultDhcpRange(parseCidr('10.0.0.0/29'))).toEqual({ start: '10.0.0.4', end: '10.0.0.6' });
  });

  it('tells overlaps and host addresses', () => {
    expect(overlaps(parseCidr('10.0.0.0/16'), parseCidr('10.0.5.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/24'), parseCidr('10.0.1.0/24'))).toBe(false);
    const c = parseCidr('10.0.0.0/24');
    expect(isHostOf(c, parseIpv4('10.0.0.0'))).toBe(false);
    expect(isHostOf(c, parseIpv4('10.0.0.255'))).toBe(false);
    expect(isHostOf(c, parseIpv4('10.0.0.9'))).toBe(true);
  });
});
