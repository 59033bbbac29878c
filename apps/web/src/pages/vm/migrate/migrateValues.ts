import type { ApiError } from '../../../api/errors.ts';
import type { MigrateRequest, MigrationOptions } from '@virtweb/protocol';

// The migrate dialog's values (text fields as typed) -> the request, with the same bounds as the contract.

export interface MigrateValues {
  peer: string;
  copyStorage: boolean;
  keepDefinition: boolean;
  /** As typed; empty = qemu's default. */
  bandwidthMiBs: string;
  maxDowntimeMs: string;
  autoConverge: boolean;
  /** The user's own choice; refused for a TCG guest (see `postcopyBox`). */
  postcopy: boolean;
  /** The user's own choice; compression overrides it while on (see `multifdBox`). */
  multifd: boolean;
  xbzrle: boolean;
  /** Compress the stream with zstd (`compress: 'zstd'`). */
  compressZstd: boolean;
  /** Send the live stream unencrypted (a trusted link only); by default qemu encrypts it with TLS. */
  plainStream: boolean;
  /** The guest runs under TCG (from the VM, not a field). */
  tcgGuest: boolean;
}

export type MigrateErrors = Partial<Record<'bandwidthMiBs' | 'maxDowntimeMs', string>>;

export const initialMigrate = (peer = ''): MigrateValues => ({
  peer,
  copyStorage: false,
  keepDefinition: false,
  bandwidthMiBs: '',
  maxDowntimeMs: '',
  autoConverge: false,
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compressZstd: false,
  plainStream: false,
  tcgGuest: false,
});

/** Why the Multifd box is ticked and locked while compression is on. */
export const MULTIFD_NEEDED_BY_COMPRESSION = 'Needed by compression: qemu compresses only multifd channels.';

/**
 * The Multifd box as shown: compression implies multifd (the server turns it on), so the box is then ticked
 * and disabled; `values.multifd` keeps the user's own choice, which comes back when compression is off.
 */
export function multifdBox(v: MigrateValues): { checked: boolean; disabledReason: string | undefined } {
  return v.compressZstd
    ? { checked: true, disabledReason: MULTIFD_NEEDED_BY_COMPRESSION }
    : { checked: v.multifd, disabledReason: undefined };
}

/** Why the Post-copy box is off and locked for a TCG guest (the server's checks refuse it too). */
export const POSTCOPY_REFUSED_UNDER_TCG =
  'Not for TCG guests: qemu’s post-copy lost memory writes of busy TCG guests in tests.';

/** The Post-copy box as shown: off and disabled for a TCG guest, else the user's own choice. */
export function postcopyBox(v: MigrateValues): { checked: boolean; disabledReason: string | undefined } {
  return v.tcgGuest
    ? { checked: false, disabledReason: POSTCOPY_REFUSED_UNDER_TCG }
    : { checked: v.postcopy, disabledReason: undefined };
}

type Parsed = { ok: true; value: number | undefined } | { ok: false; error: string };

/** A whole number in [min, max] typed into a field; empty means "not set". */
export function wholeNumber(text: string, min: number, max: number, unit: string): Parsed {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < min || n > max) {
    return { ok: false, error: `a whole number of ${unit} from ${min} to ${max}` };
  }
  return { ok: true, value: n };
}

export type MigrateDraft =
  | { ok: true; request: MigrateRequest }
  /** `errors` may be empty: then only the peer is missing (nothing to show, nothing to check yet). */
  | { ok: false; errors: MigrateErrors };

export function migrateRequest(v: MigrateValues): MigrateDraft {
  const errors: MigrateErrors = {};
  const bandwidth = wholeNumber(v.bandwidthMiBs, 1, 100_000, 'MiB/s');
  const downtime = wholeNumber(v.maxDowntimeMs, 1, 60_000, 'ms');
  if (!bandwidth.ok) errors.bandwidthMiBs = bandwidth.error;
  if (!downtime.ok) errors.maxDowntimeMs = downtime.error;
  if (!bandwidth.ok || !downtime.ok || v.peer === '') return { ok: false, errors };
  const options: MigrationOptions = {
    autoConverge: v.autoConverge,
    postcopy: postcopyBox(v).checked,
    multifd: multifdBox(v).checked,
    xbzrle: v.xbzrle,
    compress: v.compressZstd ? 'zstd' : 'none',
    plainStream: v.plainStream,
  };
  if (bandwidth.value !== undefined) options.bandwidthMiBs = bandwidth.value;
  if (downtime.value !== undefined) options.maxDowntimeMs = downtime.value;
  return {
    ok: true,
    request: { peer: v.peer, copyStorage: v.copyStorage, keepDefinition: v.keepDefinition, options },
  };
}

/** A refused migration (409): the failed checks are the details (`checks.<name>`); else the message. */
export function refusalText(err: ApiError): string[] {
  const checks = err.details.filter((d) => d.path.startsWith('checks.')).map((d) => d.message);
  return checks.length > 0 ? checks : [err.message];
}
