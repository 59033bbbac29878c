import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeaseAddresses } from './lease-addresses.ts';

describe('LeaseAddresses', () => {
  it("keeps each MAC's leased address from every lease file and says which changed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-leases-'));
    const a = path.join(dir, 'a.leases');
    const b = path.join(dir, 'b.leases');
    fs.writeFileSync(a, '1765100000 52:54:00:aa:00:01 10.1.0.20 alpha *\n');
    const leases = new LeaseAddresses(() => [a, b]);
    expect(await leases.refresh()).toEqual(['52:54:00:aa:00:01']);
    expect(leases.of(['52:54:00:AA:00:01', '52:54:00:bb:00:01'])).toEqual(['10.1.0.20']);
    fs.writeFileSync(b, '0 52:54:00:bb:00:01 10.2.0.30 * 01:52:54:00:bb:00:01\n');
    expect(await leases.refresh()).toEqual(['52:54:00:bb:00:01']);
    expect(await leases.refresh()).toEqual([]);
    fs.writeFileSync(a, '');
    expect(await leases.refresh()).toEqual(['52:54:00:aa:00:01']);
    expect(leases.of(['52:54:00:aa:00:01', '52:54:00:bb:00:01'])).toEqual(['10.2.0.30']);
    fs.rmSync(dir, { recursive: true });
  });
});
