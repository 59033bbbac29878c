import { describe, expect, it } from 'vitest';
import type { Vm } from '@virtweb/protocol';
import { matchesFilter } from './guestFilter.ts';

const vm = (name: string, state: Vm['state'], tags?: string[], notes?: string): Vm =>
  ({ id: name, name, state, ...(tags ? { tags } : {}), ...(notes ? { notes } : {}) }) as Vm;

describe('the guests filter', () => {
  const web = vm('web-1', 'running', ['web', 'Lab-2'], 'nginx front');
  const db = vm('db', 'stopped', ['database']);
  it('matches names, states, tag starts and notes, every word', () => {
    expect(matchesFilter(web, '')).toBe(true);
    expect(matchesFilter(web, 'WEB')).toBe(true);
    expect(matchesFilter(web, 'lab')).toBe(true);
    expect(matchesFilter(web, 'nginx running')).toBe(true);
    expect(matchesFilter(web, 'nginx stopped')).toBe(false);
    expect(matchesFilter(db, 'data')).toBe(true);
    expect(matchesFilter(db, 'run')).toBe(false);
  });
  it('takes tag: and state: as exact', () => {
    expect(matchesFilter(web, 'tag:lab-2')).toBe(true);
    expect(matchesFilter(web, 'tag:lab')).toBe(false);
    expect(matchesFilter(db, 'state:stopped')).toBe(true);
    expect(matchesFilter(db, 'state:stop')).toBe(false);
    // A guest never started reads as stopped, and still answers to its API state.
    const fresh = vm('fresh', 'defined');
    expect(matchesFilter(fresh, 'state:stopped')).toBe(true);
    expect(matchesFilter(fresh, 'defined')).toBe(true);
  });
});
