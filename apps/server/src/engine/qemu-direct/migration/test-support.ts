import type { MigrationOptions } from '@virtweb/protocol';
// Shared by the engine's unit tests: a fake qemu (QMP only) with a scripted run state and query-migrate.
import { QmpClient, type QmpMigrationInfo, type QmpRunState } from '@virtweb/qmp';
import { FakeQmpServer, type ReceivedCommand } from '@virtweb/qmp/testing';
import { isMigrationError, type MigrationError } from './errors.ts';

export { FakeQmpServer };

export interface FakeQemu {
  fake: FakeQmpServer;
  qmp: QmpClient;
  /** The run state `query-status` reports; tests change it as qemu would. */
  state: { status: QmpRunState };
  close(): Promise<void>;
}

/** Commands that only acknowledge, answered `{}` unless a test scripts them otherwise. */
const ACKS = [
  'migrate-set-capabilities',
  'migrate-set-parameters',
  'migrate',
  'migrate-incoming',
  'migrate_cancel',
  'migrate-start-postcopy',
  'cont',
  'stop',
  'blockdev-add',
  'blockdev-del',
  'blockdev-mirror',
  'block-job-cancel',
  'nbd-server-start',
  'nbd-server-stop',
  'block-export-add',
  'object-add',
  'object-del',
];

export async function fakeQemu(status: QmpRunState = 'running'): Promise<FakeQemu> {
  const fake = await FakeQmpServer.start();
  const state = { status };
  for (const c of ACKS) fake.handle(c, { return: {} });
  fake.handle('query-status', () => ({
    return: { running: state.status === 'running', status: state.status },
  }));
  fake.handle('query-block-jobs', { return: [] });
  fake.handle('query-block-exports', { return: [] });
  const qmp = await QmpClient.connect(fake.socketPath);
  return {
    fake,
    qmp,
    state,
    close: async () => {
      await qmp.close();
      await fake.close();
    },
  };
}

/** `query-migrate` answers these in turn, repeating the last one. */
export function scriptMigrate(fake: FakeQmpServer, infos: QmpMigrationInfo[]): void {
  let i = 0;
  fake.handle('query-migrate', () => ({ return: infos[Math.min(i++, infos.length - 1)] ?? {} }));
}

/** Names of the commands received, in order, without the polls. */
export function commandNames(fake: FakeQmpServer): string[] {
  const polls = new Set(['query-migrate', 'query-status', 'query-block-jobs', 'qmp_capabilities']);
  return fake.received.map((c) => c.execute).filter((c) => !polls.has(c));
}

export function argsOf(fake: FakeQmpServer, command: string, n = 1): ReceivedCommand['arguments'] {
  return fake.received.filter((c) => c.execute === command)[n - 1]?.arguments;
}

/** A RAM section of query-migrate. */
export function ram(over: { transferred?: number; remaining?: number; total?: number; passes?: number }) {
  return {
    transferred: over.transferred ?? 0,
    remaining: over.remaining ?? 0,
    total: over.total ?? 1000,
    duplicate: 0,
    normal: 0,
    'normal-bytes': 0,
    'dirty-pages-rate': 0,
    mbps: 100,
    'dirty-sync-count': over.passes ?? 1,
    'page-size': 4096,
    'pages-per-second': 0,
  };
}

/** The MigrationError `run` rejects with (anything else fails the test). */
export async function expectMigrationError(run: Promise<unknown>): Promise<MigrationError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMigrationError(err)) throw new Error(`expected a MigrationError, got ${String(err)}`);
  return err;
}

/** Migration options with every capability off: a plain stream. */
export const PLAIN_OPTIONS: MigrationOptions = {
  autoConverge: false,
  postcopy: false,
  multifd: false,
  xbzrle: false,
  compress: 'none',
  plainStream: false,
};
