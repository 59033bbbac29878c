// Moving a stopped VM: its images streamed to the peer's upload endpoint (with copy storage), its definition
// made there, then dropped here. Nothing runs anywhere meanwhile, so undoing it is removing what was sent.
import type { VmService } from '../vms/vm-service.ts';
import type { IncomingAnswer } from './incoming-api.ts';
import {
  errorText,
  finishUndone,
  removeUploads,
  throwIfAborted,
  uploadAll,
  withNvram,
  type MigrationPlan,
} from './job-context.ts';
import type { JobHandle } from './jobs.ts';
import { removeMarker, writeMarker, type Marker } from './markers.ts';
import { abortTarget, finishTarget, postIncoming } from './target-calls.ts';

/** Runs an offline move of a VM the caller has marked `migrating`; always ends the job. */
export async function runOfflineJob(vms: VmService, plan: MigrationPlan, handle: JobHandle): Promise<void> {
  const { vm, peer } = plan;
  const started = Date.now();
  const runDir = vms.launcher.paths(vm.id).dir;
  const marker: Marker = {
    role: 'source',
    kind: 'offline',
    peerId: peer.id,
    peerName: peer.name,
    keepDefinition: plan.keepDefinition,
    previousState: plan.previousState,
  };
  const uploaded: string[] = [];
  let incoming: IncomingAnswer | undefined;
  try {
    await writeMarker(runDir, marker);
    handle.setPhase('mirroring');
    await uploadAll(vms, plan, handle, uploaded);
    throwIfAborted(handle);
    handle.setPhase('switching');
    incoming = await postIncoming(peer.client, await withNvram(vms, plan));
    await writeMarker(runDir, { ...marker, incomingId: incoming.incomingId, targetVmId: incoming.vmId });
    await finishTarget(peer.client, incoming.incomingId);
  } catch (err) {
    if (incoming) await abortTarget(peer.client, incoming.incomingId);
    const left = await removeUploads(plan, uploaded);
    if (left.length > 0) handle.note(`left on ${peer.name}: ${left.join(', ')}`);
    await vms.migration.settle(vm.id, plan.previousState);
    await removeMarker(runDir).catch(() => undefined);
    finishUndone(vms, plan, handle, err);
    return;
  }
  // Defined there: from here on the move stands, whatever happens here.
  try {
    if (plan.keepDefinition) {
      vms.migration.markStopped(vm.id, `moved to ${peer.name}`);
      await removeMarker(runDir);
      handle.note('the definition stays on this host, stopped');
    } else {
      await vms.migration.undefine(vm.id);
    }
  } catch (err) {
    handle.note(`the VM is defined on ${peer.name}, but removing it here failed: ${errorText(err)}`);
  }
  const copied = plan.uploads.length;
  if (copied > 0) {
    handle.note(`${plan.uploads.join(', ')} copied to ${peer.name}; the images stay on this host too`);
  }
  handle.finish({ phase: 'completed', totalTimeMs: Date.now() - started, targetVmId: incoming.vmId });
}
