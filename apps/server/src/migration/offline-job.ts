// Moving a stopped VM: its images streamed to the peer's upload endpoint (with copy storage), its definition
// made there, then dropped here. Nothing runs anywhere meanwhile, so undoing it is removing what was sent.
import type { VmService } from '../vms/vm-service.ts';
import type { IncomingAnswer } from './incoming-api.ts';
import {
  errorText,
  finishUndone,
  markLeftBehind,
  openTarget,
  removeUploads,
  type MigrationPlan,
  type Reached,
} from './job-context.ts';
import type { JobHandle } from './jobs.ts';
import { removeMarker } from './markers.ts';
import { abortTarget, finishTarget } from './target-calls.ts';

/** The images go to the peer (disk copy progress), then the VM is defined there. */
const PHASES = { upload: 'mirroring', define: 'switching' } as const;

/** Runs an offline move of a VM the caller has marked `migrating`; always ends the job. */
export async function runOfflineJob(vms: VmService, plan: MigrationPlan, handle: JobHandle): Promise<void> {
  const { vm, peer } = plan;
  const started = Date.now();
  const runDir = vms.engineOf(vm.id).runDir(vm.id);
  const reached: Reached = { uploaded: [] };
  let incoming: IncomingAnswer;
  try {
    incoming = await openTarget(vms, plan, handle, 'offline', PHASES, reached);
    await finishTarget(peer.client, incoming.incomingId);
  } catch (err) {
    if (reached.incoming) await abortTarget(peer.client, reached.incoming.incomingId);
    const left = await removeUploads(plan.peer.client, reached.uploaded);
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
  if (plan.copyStorage) await markLeftBehind(vms, plan, handle);
  handle.finish({ phase: 'completed', totalTimeMs: Date.now() - started, targetVmId: incoming.vmId });
}
