import { describe, expect, it } from 'vitest';
import { byteProgress, diskCopyProgress, diskPhaseProgress, migrationProgress } from './progress.ts';
import { ram } from './test-support.ts';

describe('migrationProgress', () => {
  it('is all zeros while qemu sets up (no ram section yet)', () => {
    expect(migrationProgress({ status: 'setup' })).toEqual({
      fraction: 0,
      transferredBytes: 0,
      remainingBytes: 0,
      totalBytes: 0,
      dirtyPagesRate: 0,
      passes: 0,
    });
  });

  it('maps a pass in progress, keeping qemu units (bytes, pages/s, ms, Mbit/s)', () => {
    const info = {
      status: 'active' as const,
      ram: { ...ram({ transferred: 300, remaining: 200, total: 1000, passes: 2 }), 'dirty-pages-rate': 12 },
      'expected-downtime': 45,
    };
    expect(migrationProgress(info, { copiedBytes: 5, totalBytes: 5 })).toEqual({
      fraction: 0.8,
      transferredBytes: 300,
      remainingBytes: 200,
      totalBytes: 1000,
      dirtyPagesRate: 12,
      expectedDowntimeMs: 45,
      passes: 2,
      mbps: 100,
      disk: { copiedBytes: 5, totalBytes: 5 },
    });
  });

  it('is 1 once completed, whatever qemu left in remaining', () => {
    const p = migrationProgress({ status: 'completed', ram: ram({ remaining: 4096, total: 1000 }) });
    expect(p).toMatchObject({ fraction: 1, remainingBytes: 0 });
  });

  it('never leaves 0..1 (remaining above total at the start of a pass)', () => {
    expect(migrationProgress({ status: 'active', ram: ram({ remaining: 2000, total: 1000 }) }).fraction).toBe(
      0,
    );
  });
});

describe('disk and byte progress', () => {
  it('sums our mirror jobs only', () => {
    const job = (device: string, offset: number, len: number) => ({
      type: 'mirror',
      device,
      offset,
      len,
      busy: false,
      paused: false,
      speed: 0,
      'io-status': 'ok' as const,
      ready: false,
      status: 'running' as const,
      'auto-finalize': true,
      'auto-dismiss': true,
    });
    const jobs = [job('migrate-disk0', 10, 100), job('backup', 1, 1), job('migrate-disk1', 30, 100)];
    const disk = diskCopyProgress(jobs, ['migrate-disk0', 'migrate-disk1']);
    expect(disk).toEqual({ copiedBytes: 40, totalBytes: 200 });
    expect(diskPhaseProgress(disk)).toMatchObject({ fraction: 0.2, remainingBytes: 160, disk });
  });

  it('counts bytes of a file', () => {
    expect(byteProgress(25, 100)).toMatchObject({ fraction: 0.25, transferredBytes: 25, remainingBytes: 75 });
    expect(byteProgress(0, 0).fraction).toBe(0);
  });
});
