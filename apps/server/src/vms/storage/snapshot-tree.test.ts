import { describe, expect, it } from 'vitest';
import { snapshotTree, type DiskSnapshot, type SnapshotNote } from './snapshot-tree.ts';

const disk = (name: string, date = `2026-01-01T00:00:0${name.length}.000Z`): DiskSnapshot => ({
  name,
  date,
  vmStateSize: 0,
  withRam: false,
  vmClockSec: 0,
  disks: [0],
});
const tree = (notes: Record<string, SnapshotNote>, current?: string) => ({
  notes: new Map(Object.entries(notes)),
  current,
});
const links = (snaps: ReturnType<typeof snapshotTree>) =>
  snaps.map((s) => [s.name, s.parent ?? null, s.current]);

describe('snapshotTree', () => {
  it('links each snapshot to its recorded parent and marks the current one', () => {
    const snaps = snapshotTree(
      [disk('s1'), disk('s2'), disk('s3')],
      tree({ s1: {}, s2: { parent: 's1', description: 'before upgrade' }, s3: { parent: 's1' } }, 's3'),
    );
    expect(links(snaps)).toEqual([
      ['s1', null, false],
      ['s2', 's1', false],
      ['s3', 's1', true],
    ]);
    expect(snaps[1]?.description).toBe('before upgrade');
    expect(snaps[0]).not.toHaveProperty('parent');
    expect(snaps[0]).not.toHaveProperty('description');
  });

  it('makes roots of snapshots without notes, with a parent gone, or with a note of an older namesake', () => {
    const snaps = snapshotTree(
      [disk('hmp'), disk('orphan'), disk('again', '2026-02-02T00:00:00.000Z')],
      tree({
        orphan: { parent: 'deleted' },
        again: { parent: 'hmp', description: 'old', date: '2026-01-01T00:00:00.000Z' },
      }),
    );
    expect(links(snaps)).toEqual([
      ['hmp', null, false],
      ['orphan', null, false],
      ['again', null, false],
    ]);
    expect(snaps[2]).not.toHaveProperty('description');
  });

  it('breaks loops left by reused names', () => {
    const snaps = snapshotTree(
      [disk('a'), disk('b'), disk('c'), disk('d')],
      tree({ a: { parent: 'b' }, b: { parent: 'a' }, c: { parent: 'a' }, d: { parent: 'd' } }),
    );
    const parents = new Map(snaps.map((s) => [s.name, s.parent]));
    for (const s of snaps) {
      const seen = new Set<string>();
      for (let at: string | undefined = s.name; at !== undefined; at = parents.get(at)) {
        expect(seen.has(at)).toBe(false);
        seen.add(at);
      }
    }
    expect(parents.get('c')).toBe('a');
    expect(parents.get('d')).toBeUndefined();
  });
});
