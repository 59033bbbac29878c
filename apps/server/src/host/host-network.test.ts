import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostNetwork, tapOwner } from './host-network.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('hostNetwork', () => {
  it('tells bridges (a bridge/ dir) and taps (tun_flags) from other interfaces', async () => {
    const sys = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-net-'));
    dirs.push(sys);
    await fs.mkdir(path.join(sys, 'br0', 'bridge'), { recursive: true });
    await fs.mkdir(path.join(sys, 'virbr1', 'bridge'), { recursive: true });
    await fs.mkdir(path.join(sys, 'tap3'), { recursive: true });
    await fs.writeFile(path.join(sys, 'tap3', 'tun_flags'), '0x1002\n');
    await fs.mkdir(path.join(sys, 'vw0123456789ab'), { recursive: true });
    await fs.writeFile(path.join(sys, 'vw0123456789ab', 'tun_flags'), '0x1002\n');
    await fs.mkdir(path.join(sys, 'eth0'), { recursive: true });
    // vw<id>: the tap of a bridged guest, the server's own, not one to pick.
    expect(await hostNetwork(sys)).toEqual({ bridges: ['br0', 'virbr1'], taps: ['tap3'] });
  });

  it("reads a tap's owner and group, -1 meaning none", async () => {
    const sys = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-net-'));
    dirs.push(sys);
    await fs.mkdir(path.join(sys, 'tap3'), { recursive: true });
    await fs.writeFile(path.join(sys, 'tap3', 'owner'), '999\n');
    await fs.writeFile(path.join(sys, 'tap3', 'group'), '-1\n');
    expect(await tapOwner('tap3', sys)).toEqual({ uid: 999, gid: null });
  });

  it('lists nothing when the directory cannot be read', async () => {
    expect(await hostNetwork('/nonexistent/sys/class/net')).toEqual({ bridges: [], taps: [] });
  });

  it('reads the real /sys/class/net without failing', async () => {
    const real = await hostNetwork();
    expect(real.bridges).not.toContain('lo');
    expect(real.taps).not.toContain('lo');
  });
});
