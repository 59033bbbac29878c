import { describe, expect, it } from 'vitest';
import type { Snapshot } from '@virtweb/protocol';
import { treeOrder } from './snapshotTree.ts';

const snap = (name: string, parent?: string): Snapshot => ({
  name,
  date: '2026-01-01T00:00:00.000Z',
  vmStateSize: 0,
  withRam: false,
  vmClockSec: 0,
  disks: [0],
  current: false,
  ...(parent !== undefined && { parent }),
});

describe('treeOrder', () => {
  it('puts each parent before its children, depth-first, siblings in the given order', () => {
    const rows = treeOrder([snap('s1'), snap('s2', 's1'), snap('hmp'), snap('s3', 's1'), snap('s4', 's2')]);
    expect(rows.map((r) => [r.snapshot.name, r.depth])).toEqual([
      ['s1', 0],
      ['s2', 1],
      ['s4', 2],
      ['s3', 1],
      ['hmp', 0],
    ]);
  });

  it('shows a snapshot whose parent is missing, or on a loop, as a root', () => {
    const rows = treeOrder([snap('a', 'gone'), snap('b', 'c'), snap('c', 'b')]);
    expect(rows.map((r) => [r.snapshot.name, r.depth])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 1],
    ]);
  });
});
