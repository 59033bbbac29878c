import { describe, expect, it } from 'vitest';
import type { ManagedDefinition } from './network-definition.ts';
import { rulesetOf } from './nft-ruleset.ts';

const nat: ManagedDefinition = {
  name: 'lab',
  kind: 'nat',
  bridge: 'vwbr-lab',
  subnet: '10.9.0.0/24',
  dhcpRange: { start: '10.9.0.128', end: '10.9.0.254' },
  autostart: true,
  portForwards: [{ protocol: 'udp', hostPort: 5353, guestAddress: '10.9.0.7', guestPort: 53 }],
};

describe('rulesetOf', () => {
  it('replaces the table atomically: declared, deleted and made again in one file', () => {
    const text = rulesetOf(nat);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'table ip virtweb-lab',
      'delete table ip virtweb-lab',
      'table ip virtweb-lab {',
    ]);
  });

  it('masquerades the subnet out of other interfaces and forwards ports from outside and from the host', () => {
    const text = rulesetOf(nat);
    expect(text).toContain('ip saddr 10.9.0.0/24 ip daddr != 10.9.0.0/24 oifname != "vwbr-lab" masquerade');
    expect(text).toContain('fib daddr type local udp dport 5353 dnat to 10.9.0.7:53');
    expect(text).toMatch(
      /chain output \{[^}]*ip daddr != 127\.0\.0\.0\/8 fib daddr type local udp dport 5353/,
    );
  });

  it('an isolated network drops everything forwarded from or to its bridge and masquerades nothing', () => {
    const text = rulesetOf({ ...nat, kind: 'isolated', portForwards: [] });
    expect(text).toContain('iifname "vwbr-lab" drop');
    expect(text).toContain('oifname "vwbr-lab" drop');
    expect(text).not.toContain('masquerade');
    expect(text).not.toContain('dnat');
  });

  it('refuses values that could change the rules', () => {
    expect(() => rulesetOf({ ...nat, bridge: 'br" accept; #' })).toThrow(/refusing/);
    expect(() =>
      rulesetOf({ ...nat, portForwards: [{ ...nat.portForwards[0]!, guestAddress: '1.2.3.4 accept' }] }),
    ).toThrow(/refusing/);
    expect(() => rulesetOf({ ...nat, portForwards: [{ ...nat.portForwards[0]!, hostPort: 0 }] })).toThrow();
    expect(() => rulesetOf({ ...nat, subnet: '10.9.0.0/24; flush ruleset' })).toThrow();
  });
});
