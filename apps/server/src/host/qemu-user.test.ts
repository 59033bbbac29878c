import { describe, expect, it } from 'vitest';
import { lookupUser, mayChangeIds, QemuUser } from './qemu-user.ts';

const found = (uid: number, gid: number) => () => Promise.resolve({ uid, gid });
const missing = () => Promise.resolve(undefined);

describe('QemuUser', () => {
  it('a root server runs qemu as the configured user, with its uid and primary gid', async () => {
    const user = new QemuUser('virtweb-qemu', 0, found(999, 995));
    expect(await user.identity()).toEqual({ uid: 999, gid: 995 });
    expect(await user.describe()).toMatchObject({
      user: 'virtweb-qemu',
      uid: 999,
      gid: 995,
      serverUser: false,
    });
  });

  it('a server that is not root runs qemu as itself: no identity to spawn with', async () => {
    const user = new QemuUser('virtweb-qemu', 1000, found(999, 995), false);
    expect(await user.identity()).toBeUndefined();
    expect(await user.describe()).toMatchObject({ uid: 1000, serverUser: true });
  });

  it('a service that is not root but holds CAP_SETUID and CAP_SETGID runs qemu as the configured user', async () => {
    const user = new QemuUser('virtweb-qemu', 1000, found(999, 995), true);
    expect(await user.identity()).toEqual({ uid: 999, gid: 995 });
    expect(await user.describe()).toMatchObject({ uid: 999, gid: 995, serverUser: false });
  });

  it('reads CAP_SETUID and CAP_SETGID from the effective set in /proc/self/status', () => {
    expect(mayChangeIds('Name:\tnode\nCapEff:\t00000000000000c0\n')).toBe(true); // bits 6 and 7
    expect(mayChangeIds('CapEff:\t0000000000000080\n')).toBe(false); // CAP_SETUID only
    expect(mayChangeIds('CapEff:\t0000000000000000\n')).toBe(false);
    expect(mayChangeIds('CapEff:\t000001ffffffffff\n')).toBe(true); // root's full set
    expect(mayChangeIds('')).toBe(false);
  });

  it('a missing user: 409 qemu_user naming the fixes, and looked up again until it exists', async () => {
    let lookup: (name: string) => Promise<{ uid: number; gid: number } | undefined> = missing;
    const user = new QemuUser('virtweb-qemu', 0, (n) => lookup(n));
    const err = await user.identity().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict', code: 'qemu_user' });
    expect((err as Error).message).toMatch(
      /virtweb-qemu does not exist.*run scripts\/setup.*VIRTWEB_QEMU_USER/,
    );
    expect((await user.describe()).problem).toMatch(/never runs qemu as root/);
    lookup = found(999, 995);
    expect(await user.identity()).toEqual({ uid: 999, gid: 995 });
  });

  it('refuses a configured user that is root', async () => {
    const user = new QemuUser('toor', 0, found(0, 0));
    await expect(user.identity()).rejects.toThrow(/uid 0: qemu must run as an unprivileged user/);
  });

  it('looks users up through getent', async () => {
    expect(await lookupUser('root')).toEqual({ uid: 0, gid: 0 });
    expect(await lookupUser('vw-no-such-user')).toBeUndefined();
  });
});
