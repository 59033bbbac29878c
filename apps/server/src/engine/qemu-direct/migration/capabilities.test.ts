import type { MigrationOptions } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyMigrationSettings,
  incomingCapabilities,
  incomingParameters,
  PLAIN_STREAM,
  QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
  QEMU_DEFAULT_MAX_BANDWIDTH,
  sourceCapabilities,
  sourceParameters,
} from './capabilities.ts';
import { argsOf, commandNames, fakeQemu } from './test-support.ts';

const NONE: MigrationOptions = {
  autoConverge: false,
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compress: 'none',
  plainStream: false,
};
const on = (caps: { capability: string; state: boolean }[]) =>
  caps.filter((c) => c.state).map((c) => c.capability);

describe('migration capabilities', () => {
  it('sets every managed capability each time, so an earlier attempt leaves nothing switched on', () => {
    expect(sourceCapabilities(NONE).map((c) => c.capability)).toEqual([
      'events',
      'auto-converge',
      'postcopy-ram',
      'multifd',
      'xbzrle',
    ]);
    expect(on(sourceCapabilities(NONE))).toEqual(['events']);
    expect(on(sourceCapabilities({ ...NONE, autoConverge: true, postcopy: true, xbzrle: true }))).toEqual([
      'events',
      'auto-converge',
      'postcopy-ram',
      'xbzrle',
    ]);
  });

  it('gives the target the same stream capabilities, and late block activation', () => {
    expect(on(incomingCapabilities({ ...PLAIN_STREAM, multifd: true }))).toEqual([
      'events',
      'late-block-activate',
      'multifd',
    ]);
  });
});

describe('sourceParameters', () => {
  it("resets to qemu's defaults without options", () => {
    expect(sourceParameters(NONE)).toEqual({
      'max-bandwidth': QEMU_DEFAULT_MAX_BANDWIDTH,
      'downtime-limit': QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
      'max-postcopy-bandwidth': 0,
      'multifd-channels': 2,
      'multifd-compression': 'none',
      'tls-creds': '',
      'tls-hostname': '',
    });
  });

  it('turns MiB/s into bytes/s and sets the XBZRLE cache only with xbzrle', () => {
    const tuning = { xbzrleCacheBytes: 32 << 20, multifdChannels: 8 };
    expect(sourceParameters({ ...NONE, bandwidthMiBs: 10, maxDowntimeMs: 50 }, tuning)).toEqual({
      'max-bandwidth': 10 * 1024 * 1024,
      'downtime-limit': 50,
      'max-postcopy-bandwidth': 10 * 1024 * 1024,
      'multifd-channels': 8,
      'multifd-compression': 'none',
      'tls-creds': '',
      'tls-hostname': '',
    });
    expect(sourceParameters({ ...NONE, xbzrle: true }, tuning)['xbzrle-cache-size']).toBe(32 << 20);
  });
});

describe('zstd compression', () => {
  const ZSTD: MigrationOptions = { ...NONE, compress: 'zstd' };

  it('switches multifd on at both ends, since qemu compresses only multifd channels', () => {
    expect(on(sourceCapabilities(ZSTD))).toEqual(['events', 'multifd']);
    expect(on(incomingCapabilities(ZSTD))).toEqual(['events', 'late-block-activate', 'multifd']);
  });

  it('asks both ends for the same compression and channel count', () => {
    const tuning = { multifdChannels: 3 };
    expect(sourceParameters(ZSTD, tuning)).toMatchObject({
      'multifd-channels': 3,
      'multifd-compression': 'zstd',
    });
    expect(incomingParameters(ZSTD, tuning)).toEqual({
      'multifd-channels': 3,
      'multifd-compression': 'zstd',
      'tls-creds': '',
    });
  });

  it('sets compression back to none when not asked (qemu keeps it from an earlier attempt)', () => {
    expect(sourceParameters({ ...NONE, multifd: true })['multifd-compression']).toBe('none');
    expect(incomingParameters(PLAIN_STREAM)['multifd-compression']).toBe('none');
  });

  it('sends capabilities then parameters; a later plain attempt on the same qemu turns both off', async () => {
    const q = await fakeQemu();
    try {
      await applyMigrationSettings(q.qmp, sourceCapabilities(ZSTD), sourceParameters(ZSTD));
      await applyMigrationSettings(q.qmp, sourceCapabilities(NONE), sourceParameters(NONE));
      expect(commandNames(q.fake)).toEqual([
        'migrate-set-capabilities',
        'migrate-set-parameters',
        'migrate-set-capabilities',
        'migrate-set-parameters',
      ]);
      const multifd = (n: number) =>
        argsOf(q.fake, 'migrate-set-capabilities', n)?.capabilities as {
          capability: string;
          state: boolean;
        }[];
      expect(multifd(1)).toContainEqual({ capability: 'multifd', state: true });
      expect(argsOf(q.fake, 'migrate-set-parameters', 1)?.['multifd-compression']).toBe('zstd');
      expect(multifd(2)).toContainEqual({ capability: 'multifd', state: false });
      expect(argsOf(q.fake, 'migrate-set-parameters', 2)?.['multifd-compression']).toBe('none');
    } finally {
      await q.close();
    }
  });
});
