import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/bus.ts';
import { openDb } from '../store/db.ts';
import { testPoint } from './test-point.ts';
import { MetricsHistory } from './history.ts';
import { MetricsService } from './metrics-service.ts';

const p = testPoint;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('MetricsService.vmMetrics', () => {
  it('marks where stored minute averages end in the 1h range after a restart (no per-second points yet)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-metrics-'));
    dirs.push(dir);
    const db = openDb(path.join(dir, 'virtweb.db'));
    const now = 10 * 60_000;
    const history = new MetricsHistory(db, () => now);
    for (let minute = 2; minute < 8; minute++) history.add('a', p(minute * 60_000, minute));
    history.flush();
    const service = new MetricsService(
      () => [],
      new EventBus(),
      history,
      (id) => (id === 'a' ? 'not measurable with user-mode networking' : undefined),
      () => now,
    );

    const hour = service.vmMetrics('a', '1h');
    expect(hour.points.map((x) => x.at)).toEqual([2, 3, 4, 5, 6, 7].map((m) => m * 60_000));
    expect(hour.minuteUntil).toBe(now);
    expect(service.vmMetrics('a', '5m').minuteUntil).toBeUndefined();
    expect(service.vmMetrics('nobody', '1h').minuteUntil).toBeUndefined();
    // The note is the guest's own: there for a guest with an uncounted NIC, absent for one without.
    expect(hour.netNote).toBe('not measurable with user-mode networking');
    expect(service.vmMetrics('nobody', '5m').netNote).toBeUndefined();
    db.close();
  });
});
