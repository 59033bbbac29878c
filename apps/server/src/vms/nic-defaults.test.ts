import { describe, expect, it } from 'vitest';
import { LEGACY_MAC, nicsWithDefaults, randomMac } from './nic-defaults.ts';

/** A random source that answers `seq` in turn (3 bytes each). */
const bytes = (...seq: number[][]) => {
  let i = 0;
  return () => Buffer.from(seq[i++ % seq.length] ?? []);
};

describe('randomMac', () => {
  it('is 52:54:00 and three random octets, lowercase', () => {
    expect(randomMac(new Set(), bytes([0xab, 0x0c, 0xff]))).toBe('52:54:00:ab:0c:ff');
    for (let i = 0; i < 100; i++) expect(randomMac(new Set())).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('skips taken MACs and the one every NIC of an older virtweb had', () => {
    const random = bytes([0x12, 0x34, 0x56], [1, 2, 3], [4, 5, 6]);
    expect(randomMac(new Set(['52:54:00:01:02:03']), random)).toBe('52:54:00:04:05:06');
    expect(LEGACY_MAC).toBe('52:54:00:12:34:56');
  });
});

describe('nicsWithDefaults', () => {
  const user = { mode: 'user' as const, portForwards: [], linkUp: true };

  it('fills the lowest free slots, the preset model and new MACs unique against the taken and each other', () => {
    const taken = new Set(['52:54:00:00:00:01']);
    const random = bytes([0, 0, 1], [0, 0, 2], [0, 0, 2], [0, 0, 3], [0, 0, 3], [0, 0, 4]);
    const nics = nicsWithDefaults(
      [{ ...user, slot: 1 }, user, { ...user, model: 'e1000e' }],
      'virtio',
      taken,
      [],
      random,
    );
    expect(nics).toEqual([
      { ...user, slot: 0, model: 'virtio', mac: '52:54:00:00:00:03' },
      { ...user, slot: 1, model: 'virtio', mac: '52:54:00:00:00:02' },
      { ...user, slot: 2, model: 'e1000e', mac: '52:54:00:00:00:04' },
    ]);
    expect(new Set(nics.map((n) => n.mac)).size).toBe(3);
  });

  it('keeps a given MAC, and the MAC of the NIC an edit leaves in its slot', () => {
    const current = [{ ...user, slot: 0, model: 'virtio' as const, mac: '52:54:00:aa:aa:aa' }];
    const nics = nicsWithDefaults(
      [
        { ...user, model: 'e1000' },
        { ...user, mac: '52:54:00:bb:bb:bb' },
      ],
      'virtio',
      new Set(),
      current,
    );
    expect(nics.map((n) => [n.slot, n.model, n.mac])).toEqual([
      [0, 'e1000', '52:54:00:aa:aa:aa'],
      [1, 'virtio', '52:54:00:bb:bb:bb'],
    ]);
  });
});
