import { describe, expect, it } from 'vitest';
import { Conflict, Invalid } from '../domain/errors.ts';
import { parseCidr } from './ipv4.ts';
import type { ManagedDefinition } from './network-definition.ts';
import { checkForwards, definitionOf } from './network-validation.ts';

const lab: ManagedDefinition = {
  name: 'lab',
  kind: 'nat',
  bridge: 'vwbr-lab-unit',
  subnet: '10.9.0.0/24',
  dhcpRange: { start: '10.9.0.128', end: '10.9.0.254' },
  autostart: true,
  portForwards: [{ protocol: 'tcp', hostPort: 8080, guestAddress: '10.9.0.7', guestPort: 80 }],
};
const noHost = () => Promise.resolve([]);

describe('definitionOf', () => {
  it('names the bridge and picks the DHCP pool when not given', async () => {
    const def = await definitionOf(
      { name: 'fresh', kind: 'isolated', subnet: '10.10.0.0/24', autostart: true },
      [],
      noHost,
    );
    expect(def).toMatchObject({
      bridge: 'vwbr-fresh',
      dhcpRange: { start: '10.10.0.128', end: '10.10.0.254' },
    });
  });

  it("refuses a subnet overlapping another network's or the host's, and a name taken", async () => {
    const req = { name: 'fresh', kind: 'nat' as const, subnet: '10.9.0.0/16', autostart: true };
    await expect(definitionOf(req, [lab], noHost)).rejects.toThrow(/overlaps network lab/);
    const host = () => Promise.resolve([{ cidr: parseCidr('10.0.0.0/8'), what: 'route 10.0.0.0/8 on eth9' }]);
    await expect(definitionOf({ ...req, subnet: '10.20.0.0/24' }, [], host)).rejects.toThrow(
      /overlaps the host's route 10\.0\.0\.0\/8 on eth9/,
    );
    await expect(
      definitionOf({ ...req, name: 'lab', subnet: '10.20.0.0/24' }, [lab], noHost),
    ).rejects.toThrow(Conflict);
  });

  it('refuses a DHCP range outside the subnet or holding the gateway', async () => {
    const req = { name: 'fresh', kind: 'isolated' as const, subnet: '10.10.0.0/24', autostart: true };
    for (const dhcpRange of [
      { start: '10.10.0.1', end: '10.10.0.20' },
      { start: '10.10.0.20', end: '10.10.1.20' },
      { start: '10.10.0.30', end: '10.10.0.20' },
    ]) {
      await expect(definitionOf({ ...req, dhcpRange }, [], noHost)).rejects.toThrow(Invalid);
    }
  });
});

describe('checkForwards', () => {
  it('takes forwards to guest addresses of the subnet, each host port once across networks', () => {
    const other = { ...lab, name: 'other', subnet: '10.8.0.0/24', portForwards: [] };
    const ok = [{ protocol: 'udp' as const, hostPort: 8080, guestAddress: '10.8.0.9', guestPort: 53 }];
    expect(checkForwards(other, ok, [lab, other])).toEqual(ok);
    const taken = [{ protocol: 'tcp' as const, hostPort: 8080, guestAddress: '10.8.0.9', guestPort: 80 }];
    expect(() => checkForwards(other, taken, [lab, other])).toThrow(/already forwarded by network lab/);
    const gateway = [{ protocol: 'tcp' as const, hostPort: 9000, guestAddress: '10.8.0.1', guestPort: 80 }];
    expect(() => checkForwards(other, gateway, [other])).toThrow(Invalid);
    expect(() => checkForwards({ ...other, kind: 'isolated' }, ok, [other])).toThrow(/only a NAT network/);
  });
});
