import { describe, expect, it } from 'vitest';
import { networkPrivilegeProblem } from './privilege.ts';

describe('networkPrivilegeProblem', () => {
  it('is null with CAP_NET_ADMIN (bit 12) in CapEff, and says why without it', () => {
    expect(networkPrivilegeProblem('CapEff:\t000001ffffffffff\n')).toBeNull();
    expect(networkPrivilegeProblem('CapEff:\t0000000000001000\n')).toBeNull();
    expect(networkPrivilegeProblem('CapEff:\t0000000000000fff\n')).toMatch(/CAP_NET_ADMIN/);
    expect(networkPrivilegeProblem('')).toMatch(/user-mode NAT/);
  });
});
