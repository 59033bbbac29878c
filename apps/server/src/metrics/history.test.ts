import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../store/db.ts';
import { testPoint } from './test-point.ts';
import { MetricsHistory, RETENTION_MS } from './history.ts';

const p = testPoint;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('MetricsHistory', () => {
  it('writes one summary per guest and minute, readable after reopening the database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-hist-'));
    dirs.push(dir);
    const file = path.join(dir, 'virtweb.db');
    const db = openDb(file);
    const h = new MetricsHistory(db, () => 200_000);
    h.add('a', p(60_000, 10));
    h.add('a', p(61_000, 20));
    h.add('b', p(61_000, 99));
    h.add('a', p(120_000, 40)); // the next minute: flushes a's first minute
    expect(h.since('a', 0).map((x) => [x.at, x.cpu, x.cpuMax])).toEqual([[60_000, 15, 20]]);
    h.flush();
    db.close();
    const again = new MetricsHistory(openDb(file));
    expect(again.since('a', 0).map((x) => x.at)).toEqual([60_000, 120_000]);
    expect(again.since('b', 0).map((x) => x.cpu)).toEqual([99]);
    again.forget('a');
    expect(again.since('a', 0)).toEqual([]);
  });

  it('enforces the 7-day retention when writing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-hist-'));
    dirs.push(dir);
    const db = openDb(path.join(dir, 'virtweb.db'));
    let now = 0;
    const h = new MetricsHistory(db, () => now);
    h.add('a', p(0, 1));
    h.flush();
    now = RETENTION_MS + 10 * 60_000;
    h.add('a', p(now, 2));
    h.flush();
    expect(h.since('a', 0).map((x) => x.cpu)).toEqual([2]);
  });
});
