// A live migration driven only by QMP, with the settings virtweb's engine sets (the same capability and
// parameter helpers), for the migration bench's `bare` baseline: the target listens, the source migrates,
// the target is continued as soon as its own MIGRATION event says the stream has arrived.
import type { MigrationOptions } from '@virtweb/protocol';
import type { QmpClient, QmpEventMessage } from '@virtweb/qmp';
import {
  incomingCapabilities,
  incomingParameters,
  sourceCapabilities,
  sourceParameters,
} from '../../apps/server/src/engine/qemu-direct/migration/capabilities.ts';

export interface BareMigration {
  totalMs: number;
  downtimeMs: number;
}

const completed = (qmp: QmpClient): Promise<void> =>
  new Promise((resolve) => {
    const on = (e: QmpEventMessage): void => {
      if ((e.data as { status?: string } | undefined)?.status !== 'completed') return;
      qmp.off('MIGRATION', on);
      resolve();
    };
    qmp.on('MIGRATION', on);
  });

export async function bareMigrate(
  source: QmpClient,
  target: QmpClient,
  options: MigrationOptions,
): Promise<BareMigration> {
  await target.execute('migrate-set-capabilities', { capabilities: incomingCapabilities(options) });
  await target.execute('migrate-set-parameters', incomingParameters(options));
  await target.execute('migrate-incoming', { uri: 'tcp:127.0.0.1:0' });
  const listening = (await target.execute('query-migrate'))['socket-address']?.find((a) => a.type === 'inet');
  if (listening?.type !== 'inet') throw new Error('the target reports no listening port');
  await source.execute('migrate-set-capabilities', { capabilities: sourceCapabilities(options) });
  await source.execute('migrate-set-parameters', sourceParameters(options));
  const arrived = completed(target);
  const sent = completed(source);
  await source.execute('migrate', { uri: `tcp:127.0.0.1:${listening.port}` });
  await arrived;
  await target.execute('cont');
  await sent;
  // NOTE: as the engine's settledCompletion: qemu 7.2 fills in total-time and downtime with the move to
  // `postmigrate`, a moment after the `completed` event.
  while ((await source.execute('query-status')).status === 'finish-migrate')
    await new Promise((r) => setTimeout(r, 1));
  const info = await source.execute('query-migrate');
  return { totalMs: info['total-time'] ?? NaN, downtimeMs: info.downtime ?? NaN };
}
