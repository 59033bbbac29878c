// Type-level checks run under `tsc -p packages/qmp` (expectTypeOf and @ts-expect-error fail the typecheck).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { takesNoArgs, type ArgsParam, type QmpCommandReturn, type QmpExecuteOptions } from './commands.ts';
import type { QmpMigrationStatus } from './migration.ts';
import type { QmpEventMessage } from './events.ts';
import { isQmpEvent } from './events.ts';
import type { QmpClient } from './client.ts';

describe('ArgsParam', () => {
  it('allows only options for commands without arguments', () => {
    expectTypeOf<ArgsParam<'query-status'>>().toEqualTypeOf<[opts?: QmpExecuteOptions]>();
  });

  it('makes the arguments optional when every member is', () => {
    expectTypeOf<ArgsParam<'query-blockstats'>>().toEqualTypeOf<
      [args?: { 'query-nodes'?: boolean }, opts?: QmpExecuteOptions]
    >();
  });

  it('requires the arguments otherwise', () => {
    expectTypeOf<ArgsParam<'device_del'>>().toEqualTypeOf<[args: { id: string }, opts?: QmpExecuteOptions]>();
  });

  it('types execute() calls', () => {
    // Never called: only the compiler looks at this.
    const calls = async (client: QmpClient) => {
      expectTypeOf(await client.execute('query-status')).toEqualTypeOf<QmpCommandReturn<'query-status'>>();
      expectTypeOf(await client.execute('query-status', { timeoutMs: 10 })).toHaveProperty('running');
      expectTypeOf(
        await client.execute('human-monitor-command', { 'command-line': 'info registers' }, { timeoutMs: 5 }),
      ).toEqualTypeOf<string>();
      await client.execute('device_add', { driver: 'virtio-net-pci', id: 'n0', netdev: 'h0' });
      await client.execute('nbd-server-start', {
        addr: { type: 'inet', data: { host: '127.0.0.1', port: '10809' } },
      });
      // @ts-expect-error -- nbd-server-start takes the legacy {type, data} address, not the flat one
      await client.execute('nbd-server-start', { addr: { type: 'inet', host: '::1', port: '1' } });
      expectTypeOf((await client.execute('query-block-jobs'))[0]?.ready).toEqualTypeOf<boolean | undefined>();
      client.on('BLOCK_JOB_CANCELLED', (e) => expectTypeOf(e.data.device).toEqualTypeOf<string>());
      // @ts-expect-error -- arguments are required
      await client.execute('human-monitor-command');
      // @ts-expect-error -- misspelt argument name
      await client.execute('human-monitor-command', { commandLine: 'x' });
      // @ts-expect-error -- query-status takes no arguments, only options
      await client.execute('query-status', { 'command-line': 'x' });
      // @ts-expect-error -- not in the typed map (use executeUnknown)
      await client.execute('query-nonsense');
      client.on('SHUTDOWN', (e) => expectTypeOf(e.data.reason).toEqualTypeOf<QmpShutdownReason>());
      client.on('DEVICE_DELETED', (e) => expectTypeOf(e.data.device).toEqualTypeOf<string | undefined>());
      client.on('event', (e) => expectTypeOf(e.data).toEqualTypeOf<Record<string, unknown>>());
      client.on('close', (err) => expectTypeOf(err).toEqualTypeOf<Error | undefined>());
      // @ts-expect-error -- unknown event names are only reachable through 'event'
      client.on('SHUTDOWNN', () => undefined);
    };
    expect(typeof calls).toBe('function');
  });
});

type QmpShutdownReason = QmpEventMessage<'SHUTDOWN'>['data']['reason'];

describe('isQmpEvent', () => {
  it('narrows an untyped event by name', () => {
    const e: QmpEventMessage = {
      event: 'MIGRATION',
      data: { status: 'active' },
      timestamp: { seconds: 0, microseconds: 0 },
    };
    expect(isQmpEvent(e, 'STOP')).toBe(false);
    if (!isQmpEvent(e, 'MIGRATION')) throw new Error('expected MIGRATION');
    expectTypeOf(e.data.status).toEqualTypeOf<QmpMigrationStatus>();
    expect(e.data.status).toBe('active');
  });
});

describe('takesNoArgs', () => {
  it('knows which commands take no arguments', () => {
    expect(takesNoArgs('query-status')).toBe(true);
    expect(takesNoArgs('quit')).toBe(true);
    expect(takesNoArgs('device_del')).toBe(false);
    expect(takesNoArgs('query-blockstats')).toBe(false);
    expect(takesNoArgs('toString')).toBe(false);
    expect(takesNoArgs('query-block-jobs')).toBe(true);
    expect(takesNoArgs('nbd-server-stop')).toBe(true);
    expect(takesNoArgs('migrate-start-postcopy')).toBe(true);
    expect(takesNoArgs('block-job-cancel')).toBe(false);
  });
});
