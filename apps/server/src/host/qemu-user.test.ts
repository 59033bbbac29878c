import { describe, expect, it } from 'vitest';
import { lookupUser, QemuUser } from './qemu-user.ts';

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
    const user = new QemuUser('virtweb-qemu', 1000, found(999, 995));
    expect(await user.identity()).toBeUndefined();
    expect(await user.describe()).toMatchObject({ uid: 1000, serverUser: true });
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
