import { describe, expect, it } from 'vitest';
import type { Snapshot } from '@virtweb/protocol';
import { treeKey, treeOrder, visibleRows } from './snapshotTree.ts';

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

describe('tree grid keys', () => {
  // s1 ─ s2 ─ s4
  //    └ s3
  // hmp
  const rows = treeOrder([snap('s1'), snap('s2', 's1'), snap('hmp'), snap('s3', 's1'), snap('s4', 's2')]);
  const names = (collapsed: Set<string>) => visibleRows(rows, collapsed).map((r) => r.snapshot.name);

  it('hides the descendants of a collapsed row, and only those', () => {
    expect(names(new Set())).toEqual(['s1', 's2', 's4', 's3', 'hmp']);
    expect(names(new Set(['s2']))).toEqual(['s1', 's2', 's3', 'hmp']);
    expect(names(new Set(['s1']))).toEqual(['s1', 'hmp']);
    // A collapsed leaf hides nothing.
    expect(names(new Set(['s4', 'hmp']))).toEqual(['s1', 's2', 's4', 's3', 'hmp']);
    expect(visibleRows(rows, new Set()).map((r) => r.hasChildren)).toEqual([true, true, false, false, false]);
  });

  it('moves up, down, home and end over the visible rows', () => {
    const none = new Set<string>();
    const visible = visibleRows(rows, none);
    expect(treeKey(visible, 0, 'ArrowDown', none)).toEqual({ focus: 's2' });
    expect(treeKey(visible, 3, 'ArrowUp', none)).toEqual({ focus: 's4' });
    expect(treeKey(visible, 0, 'ArrowUp', none)).toBeUndefined();
    expect(treeKey(visible, 4, 'ArrowDown', none)).toBeUndefined();
    expect(treeKey(visible, 2, 'Home', none)).toEqual({ focus: 's1' });
    expect(treeKey(visible, 0, 'End', none)).toEqual({ focus: 'hmp' });
    const s1Shut = new Set(['s1']);
    expect(treeKey(visibleRows(rows, s1Shut), 0, 'ArrowDown', s1Shut)).toEqual({ focus: 'hmp' });
  });

  it('expands and collapses with Right and Left, and walks to a child or the parent', () => {
    const none = new Set<string>();
    const visible = visibleRows(rows, none);
    expect(treeKey(visible, 0, 'ArrowRight', none)).toEqual({ focus: 's2' });
    expect(treeKey(visible, 0, 'ArrowLeft', none)).toEqual({ collapse: 's1' });
    expect(treeKey(visible, 2, 'ArrowLeft', none)).toEqual({ focus: 's2' });
    expect(treeKey(visible, 3, 'ArrowLeft', none)).toEqual({ focus: 's1' });
    expect(treeKey(visible, 2, 'ArrowRight', none)).toBeUndefined();
    expect(treeKey(visible, 4, 'ArrowLeft', none)).toBeUndefined();
    expect(treeKey(visible, 0, 'a', none)).toBeUndefined();
    const s1Shut = new Set(['s1']);
    expect(treeKey(visibleRows(rows, s1Shut), 0, 'ArrowRight', s1Shut)).toEqual({ expand: 's1' });
  });
});
