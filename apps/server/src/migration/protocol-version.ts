// The migration protocol two virtweb servers speak: the target's check of the version a source sends (before
// it reads anything else of the request) and the words both sides show when the versions differ.
import os from 'node:os';
import { ErrorCode, MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import { z } from 'zod';
import { Conflict } from '../domain/errors.ts';

/** One end of a migration: a name for the words and its protocol version (undefined: older than 1). */
export interface ProtocolSide {
  name: string;
  version: number | undefined;
}

/** This server with the protocol it speaks. */
export const thisHost = (name = os.hostname()): ProtocolSide => ({
  name,
  version: MIGRATION_PROTOCOL_VERSION,
});

const spoken = (version: number | undefined): string =>
  version === undefined ? 'a migration protocol older than 1 (no version)' : `migration protocol ${version}`;

/**
 * The words for a target and a source that speak different versions: both versions, and which host to update
 * (the older one). The roles are named, so the words read the same on either host.
 */
export function protocolMismatch(target: ProtocolSide, source: ProtocolSide): string {
  const update =
    (target.version ?? 0) < (source.version ?? 0)
      ? `${target.name} (the target)`
      : `${source.name} (the source)`;
  return (
    `${target.name} (the target) speaks ${spoken(target.version)}, ${source.name} (the source) ` +
    `${spoken(source.version)}: update virtweb on ${update}`
  );
}

/**
 * What a request to the target says about its sender, read leniently: a body of another protocol version
 * may have any shape, and only the version and the sender's name are wanted from it.
 */
const SentProtocolSchema = z
  .object({
    migrationProtocol: z.number().int().optional().catch(undefined),
    source: z
      .object({ hostname: z.string().min(1).max(256) })
      .optional()
      .catch(undefined),
  })
  .catch({ migrationProtocol: undefined, source: undefined });

/**
 * The target's check, made before the body is validated (a source of another version would otherwise get a
 * validation error that does not say why).
 * @throws Conflict `migration_version_mismatch` when the body's `migrationProtocol` is missing or differs
 */
export function refuseOtherProtocol(body: unknown, here: ProtocolSide = thisHost()): void {
  const sent = SentProtocolSchema.parse(body);
  if (sent.migrationProtocol === here.version) return;
  const source = { name: sent.source?.hostname ?? 'the source', version: sent.migrationProtocol };
  throw new Conflict(ErrorCode.migrationVersionMismatch, protocolMismatch(here, source));
}
