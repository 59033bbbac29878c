// A live migration, source side: the target prepared over HTTP, qemu's stream, the switch-over, and the way
// back. The rule that governs every branch: the source is dropped only after the target reports `running`,
// and resumed only when the target certainly does not run the guest.
import type { Vm } from '@virtweb/protocol';
import type { VmService } from '../vms/vm-service.ts';
import type { IncomingAnswer } from './incoming-api.ts';
import { isMigrationError, type LiveMigrationResult, type StreamTls } from '../engine/guest-migration.ts';
import {
  errorText,
  finishUndone,
  markLeftBehind,
  openTarget,
  removeUploads,
  throwIfAborted,
  type MigrationPlan,
  type Reached,
} from './job-context.ts';
import type { JobHandle } from './jobs.ts';
import { removeMarker } from './markers.ts';
import { clientFiles, credsDir, withCredsDir, type ClientCreds } from './stream-certs.ts';
import { abortTarget, askTargetRuns, finishTarget, peerHost, watchTarget, withHost } from './target-calls.ts';

/** Everything before the stream is preparing: the uploads (missing media) and the target's qemu. */
const PHASES = { upload: 'preparing', define: 'preparing' } as const;

/** Runs a live migration whose VM the caller has marked `migrating`; always ends the job. */
export async function runLiveJob(vms: VmService, plan: MigrationPlan, handle: JobHandle): Promise<void> {
  const { vm, peer } = plan;
  const rt = vms.runtime(vm.id);
  if (!rt) {
    handle.finish({ phase: 'failed', error: 'the VM has no qemu process' });
    await vms.migration.settle(vm.id, plan.previousState);
    return;
  }
  const runDir = rt.engine.runDir(vm.id);
  const reached: Reached = { uploaded: [] };
  let result: LiveMigrationResult | undefined;
  try {
    const target = await openTarget(vms, plan, handle, 'live', PHASES, reached);
    throwIfAborted(handle);
    if (target.uri === undefined) throw new Error(`${peer.name} did not say where to send the stream`);
    const host = peerHost(peer.url);
    const uri = withHost(target.uri, host);
    const creds = streamCreds(plan, target);
    const watch = watchTarget(peer.client, target.incomingId, peer.name, (why) => handle.abort(why));
    let finishing: Promise<Vm> | undefined;
    try {
      result = await withStreamCreds(vms, runDir, creds, (tls) =>
        rt.engine.migration.migrate(rt.guest, {
          uri,
          options: plan.options,
          ...tls,
          ...(target.nbd ? { mirror: { ...target.nbd, targetHost: host } } : {}),
          signal: handle.signal,
          onProgress: (progress, phase) => {
            handle.progress(progress, phase);
            // Post-copy: the source's vCPUs are stopped for good, the target must run now for the rest to flow.
            if (phase === 'postcopy' && !finishing) finishing = finishTarget(peer.client, target.incomingId);
          },
        }),
      );
    } finally {
      watch.stop();
    }
    handle.setPhase('switching');
    await switchOver(
      vms,
      plan,
      handle,
      target,
      result,
      finishing ?? finishTarget(peer.client, target.incomingId),
    );
  } catch (err) {
    await undo(vms, plan, handle, {
      err,
      incoming: reached.incoming,
      uploaded: reached.uploaded,
      streamDone: result !== undefined,
    });
  } finally {
    await removeMarker(runDir).catch(() => undefined);
  }
}

/** The target's credentials for an encrypted stream; undefined for a plain one (the user's choice). */
function streamCreds(plan: MigrationPlan, target: IncomingAnswer): ClientCreds | undefined {
  if (plan.options.plainStream) return undefined;
  if (!target.tls) throw new Error(`${plan.peer.name} sent no credentials for an encrypted stream`);
  return target.tls;
}

/** Runs `use` with the client's credentials written for qemu (removed afterwards), or without for plain TCP. */
function withStreamCreds<T>(
  vms: VmService,
  runDir: string,
  creds: ClientCreds | undefined,
  use: (tls: { tls?: StreamTls }) => Promise<T>,
): Promise<T> {
  if (creds === undefined) return use({});
  return withCredsDir(vms.qemuAccess, credsDir(runDir), clientFiles(creds), (dir) => use({ tls: { dir } }));
}

/** The stream has arrived: the target starts the guest; only then does the source go. */
async function switchOver(
  vms: VmService,
  plan: MigrationPlan,
  handle: JobHandle,
  target: IncomingAnswer,
  result: LiveMigrationResult,
  finishing: Promise<Vm>,
): Promise<void> {
  const { peer, vm } = plan;
  let finishError: string | undefined;
  await finishing.catch((err: unknown) => (finishError = errorText(err)));
  if (finishError !== undefined) {
    const { verdict, why } = await askTargetRuns(peer.client, target);
    if (verdict !== 'running') {
      throw new SwitchOverError(verdict, `${peer.name} did not start the guest: ${finishError} (${why})`);
    }
  }
  await vms.migration.retire(vm.id, {
    keepDefinition: plan.keepDefinition,
    reason: `migrated to ${peer.name}`,
  });
  if (plan.copyStorage) {
    handle.note(`the disk images were copied to ${peer.name}; the originals stay on this host`);
    await markLeftBehind(vms, plan, handle);
  }
  for (const name of plan.uploads) handle.note(`${name} was copied to ${peer.name}`);
  if (plan.keepDefinition) handle.note('the definition stays on this host, stopped');
  handle.finish({
    phase: 'completed',
    totalTimeMs: result.totalTimeMs,
    downtimeMs: result.downtimeMs,
    targetVmId: target.vmId,
  });
}

/** The stream completed but the target did not report running: resumable only when it certainly does not. */
class SwitchOverError extends Error {
  constructor(
    readonly verdict: 'not-running' | 'unknown',
    message: string,
  ) {
    super(message);
  }
}

/** Every way a live migration can fail, put back so that the guest runs in exactly one place. */
async function undo(
  vms: VmService,
  plan: MigrationPlan,
  handle: JobHandle,
  at: { err: unknown; incoming: IncomingAnswer | undefined; uploaded: string[]; streamDone: boolean },
): Promise<void> {
  const { vm, peer } = plan;
  const { err, incoming } = at;
  const rt = vms.runtime(vm.id);
  if (isMigrationError(err) && err.split) {
    // The guest's memory is on both hosts: neither side may be thrown away or resumed.
    vms.migration.settleAs(vm.id, 'paused');
    handle.finish({ phase: 'failed', error: errorText(err) });
    return;
  }
  if (err instanceof SwitchOverError && err.verdict === 'unknown') {
    vms.migration.settleAs(vm.id, 'paused');
    handle.finish({
      phase: 'failed',
      error:
        `${err.message}. Whether it runs there is unknown, so the guest stays paused here: check ${peer.name}, ` +
        'then resume it here or power it off',
    });
    return;
  }
  if (incoming) {
    const left = await abortTarget(peer.client, incoming.incomingId);
    if (left !== undefined)
      handle.note(`${peer.name} could not be told to drop its half VM (${left}); it does so by itself`);
  }
  const notRemoved = await removeUploads(plan.peer.client, at.uploaded);
  if (notRemoved.length > 0) handle.note(`left on ${peer.name}: ${notRemoved.join(', ')}`);
  // After a completed stream (switch-over failed) the source waits in postmigrate: take it back.
  if (at.streamDone && rt) await rt.engine.migration.resumeSource(rt.guest, plan.previousState === 'running');
  await vms.migration.settle(vm.id, plan.previousState);
  finishUndone(vms, plan, handle, err);
}
