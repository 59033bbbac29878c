import { describe, expect, it } from 'vitest';
import { MigrateRequestSchema } from '@virtweb/protocol';
import { ApiError } from '../../../api/errors.ts';
import {
  initialMigrate,
  migrateRequest,
  multifdBox,
  postcopyBox,
  POSTCOPY_REFUSED_UNDER_TCG,
  MULTIFD_NEEDED_BY_COMPRESSION,
  refusalText,
  wholeNumber,
} from './migrateValues.ts';

const PEER = 'abcdefabcdef';

describe('migrate form', () => {
  it('has nothing to check until a peer is picked', () => {
    expect(migrateRequest(initialMigrate())).toEqual({ ok: false, errors: {} });
  });

  it('builds a request the contract accepts, leaving empty numbers to qemu', () => {
    const draft = migrateRequest({ ...initialMigrate(PEER), copyStorage: true, xbzrle: true });
    expect(draft).toEqual({
      ok: true,
      request: {
        peer: PEER,
        copyStorage: true,
        keepDefinition: false,
        options: {
          autoConverge: false,
          postcopy: false,
          multifd: false,
          xbzrle: true,
          compress: 'none',
          plainStream: false,
        },
      },
    });
    if (draft.ok) expect(MigrateRequestSchema.safeParse(draft.request).success).toBe(true);
  });

  it('asks for an unencrypted stream only when the box is ticked', () => {
    const draft = migrateRequest({ ...initialMigrate(PEER), plainStream: true });
    expect(draft.ok && draft.request.options?.plainStream).toBe(true);
    if (draft.ok) expect(MigrateRequestSchema.parse(draft.request).options.plainStream).toBe(true);
  });

  it('asks for zstd compression, with the multifd it implies, when the box is ticked', () => {
    const draft = migrateRequest({ ...initialMigrate(PEER), compressZstd: true });
    expect(draft.ok && draft.request.options).toMatchObject({ compress: 'zstd', multifd: true });
    if (draft.ok) {
      expect(MigrateRequestSchema.parse(draft.request).options.compress).toBe('zstd');
    }
  });

  it('shows Multifd ticked and locked while compressing, then the user’s own choice again', () => {
    const untouched = initialMigrate(PEER);
    expect(multifdBox(untouched)).toEqual({ checked: false, disabledReason: undefined });
    expect(multifdBox({ ...untouched, compressZstd: true })).toEqual({
      checked: true,
      disabledReason: MULTIFD_NEEDED_BY_COMPRESSION,
    });
    // Compression off again: unticked as the user left it, or ticked if they had ticked it themselves.
    expect(multifdBox({ ...untouched, compressZstd: false }).checked).toBe(false);
    expect(multifdBox({ ...untouched, multifd: true, compressZstd: true }).checked).toBe(true);
    expect(multifdBox({ ...untouched, multifd: true, compressZstd: false })).toEqual({
      checked: true,
      disabledReason: undefined,
    });
    expect(migrateRequest({ ...untouched, compressZstd: false })).toMatchObject({
      ok: true,
      request: { options: { multifd: false, compress: 'none' } },
    });
  });

  it('keeps Post-copy off and locked for a TCG guest, and sends it off', () => {
    const tcg = { ...initialMigrate('p'), tcgGuest: true, postcopy: true };
    expect(postcopyBox(tcg)).toEqual({ checked: false, disabledReason: POSTCOPY_REFUSED_UNDER_TCG });
    const draft = migrateRequest(tcg);
    expect(draft.ok && draft.request.options?.postcopy).toBe(false);
    const kvm = { ...tcg, tcgGuest: false };
    expect(postcopyBox(kvm)).toEqual({ checked: true, disabledReason: undefined });
    const kvmDraft = migrateRequest(kvm);
    expect(kvmDraft.ok && kvmDraft.request.options?.postcopy).toBe(true);
  });

  it('passes typed limits as numbers', () => {
    const draft = migrateRequest({ ...initialMigrate(PEER), bandwidthMiBs: ' 1 ', maxDowntimeMs: '500' });
    expect(draft.ok && draft.request.options).toMatchObject({ bandwidthMiBs: 1, maxDowntimeMs: 500 });
  });

  it('refuses limits out of the contract’s range, per field', () => {
    const draft = migrateRequest({ ...initialMigrate(PEER), bandwidthMiBs: '0', maxDowntimeMs: '1.5' });
    expect(draft).toEqual({
      ok: false,
      errors: {
        bandwidthMiBs: 'a whole number of MiB/s from 1 to 100000',
        maxDowntimeMs: 'a whole number of ms from 1 to 60000',
      },
    });
    expect(wholeNumber('100001', 1, 100_000, 'MiB/s').ok).toBe(false);
    expect(wholeNumber('-3', 1, 10, 'ms').ok).toBe(false);
    expect(wholeNumber('1e3', 1, 10_000, 'ms').ok).toBe(false);
  });

  it('shows the failed checks of a refusal, else its message', () => {
    const refused = new ApiError(409, 'conflict', 'preconditions failed', [
      { path: 'checks.memory', message: 'host-b has 100 MiB free, web1 needs 256 MiB' },
      { path: 'other', message: 'ignored' },
    ]);
    expect(refusalText(refused)).toEqual(['host-b has 100 MiB free, web1 needs 256 MiB']);
    expect(refusalText(new ApiError(409, 'wrong_state', 'web1 is starting'))).toEqual(['web1 is starting']);
  });
});
