import { describe, expect, it } from 'vitest';
import {
  incomingCapabilities,
  QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
  QEMU_DEFAULT_MAX_BANDWIDTH,
  sourceCapabilities,
  sourceParameters,
} from './capabilities.ts';

const NONE = { autoConverge: false, postcopy: false, multifd: false, xbzrle: false };
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
    expect(
      on(sourceCapabilities({ autoConverge: true, postcopy: true, multifd: false, xbzrle: true })),
    ).toEqual(['events', 'auto-converge', 'postcopy-ram', 'xbzrle']);
  });

  it('gives the target the same stream capabilities, and late block activation', () => {
    expect(on(incomingCapabilities({ postcopy: false, multifd: true, xbzrle: false }))).toEqual([
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
    });
  });

  it('turns MiB/s into bytes/s and sets the XBZRLE cache only with xbzrle', () => {
    const tuning = { xbzrleCacheBytes: 32 << 20, multifdChannels: 8 };
    expect(sourceParameters({ ...NONE, bandwidthMiBs: 10, maxDowntimeMs: 50 }, tuning)).toEqual({
      'max-bandwidth': 10 * 1024 * 1024,
      'downtime-limit': 50,
      'max-postcopy-bandwidth': 10 * 1024 * 1024,
      'multifd-channels': 8,
    });
    expect(sourceParameters({ ...NONE, xbzrle: true }, tuning)['xbzrle-cache-size']).toBe(32 << 20);
  });
});
