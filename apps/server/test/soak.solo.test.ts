import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport } from './soak/report.ts';
import { runSoak } from './soak/runner.ts';

// The 2-minute version of `npm run soak` (README "Soak"), with a fixed seed. It kills the server and qemu, so it
// runs in the solo config, alone. A failure prints every violation with the log lines before it; the whole
// log is in the tmp dir (virtweb-soak-<seed>.log). `npm run soak -- --seed <seed> --minutes 2 --guests 4`
// repeats it and keeps the data dir of a failed run.
const SEED = 20261207;

describe('seeded soak', () => {
  it(
    'keeps every invariant through 2 minutes of mixed operations and kill -9s',
    async () => {
      const report = await runSoak({
        seed: SEED,
        minutes: 2,
        guests: 4,
        logFile: path.join(os.tmpdir(), `virtweb-soak-${SEED}.log`),
        keepDataDir: 'never',
      });
      expect(
        report.violations.map((v) => `[${v.kind}] ${v.text}`),
        formatReport(report),
      ).toEqual([]);
      // The soak did what it says: kills landed, markers were synced and checked, images were checked.
      expect(report.serverKills).toBeGreaterThanOrEqual(1);
      expect(report.qemuKills).toBeGreaterThanOrEqual(2);
      expect(report.markersChecked).toBeGreaterThan(0);
      expect(report.qcow2Checked).toBeGreaterThan(0);
    },
    15 * 60_000,
  );
});
