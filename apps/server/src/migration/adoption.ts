// After a server restart: VMs left `migrating` by a job that died with the server. Each is put where it
// belongs by what its marker says and what its qemu (and, for a source, the peer) says now; never so that
// the guest runs on both hosts.
import type { PeerService } from '../peers/peer-service.ts';
import type { VmService } from '../vms/vm-service.ts';
import type { IncomingMigrations } from './incoming-service.ts';
import { readMarker, removeMarker, type Marker } from './markers.ts';
import { markOldCopies } from './job-context.ts';
import { abortTarget, askTargetRuns, finishTarget } from './target-calls.ts';

type SourceMarker = Marker & { role: 'source' };

export async function adoptMigrating(
  vms: VmService,
  peers: PeerService,
  incoming: IncomingMigrations,
): Promise<void> {
  for (const rec of vms.repo.list()) {
    if (rec.state !== 'migrating') continue;
    const engine = vms.engines.find(rec.engine);
    // A guest of an engine this server does not have (any more) stays as last known (VmLifecycle.adoptAll).
    if (!engine) continue;
    const runDir = engine.runDir(rec.id);
    const marker = await readMarker(runDir);
    try {
      if (marker?.role === 'target') await incoming.adopt(rec.id, marker);
      else if (marker?.role === 'source') await adoptSource(vms, peers, rec.id, marker);
      else await adoptLocal(vms, rec.id, marker?.previousState ?? 'stopped');
    } catch (err) {
      console.error(
        `virtweb: VM ${rec.id} was migrating when the server stopped; sorting it out failed`,
        err,
      );
      vms.migration.settleAs(rec.id, vms.runtime(rec.id) ? 'paused' : 'stopped');
    }
    await removeMarker(runDir).catch(() => undefined);
  }
}

/** A save or restore (or a job without marker): the guest's run state decides. */
async function adoptLocal(vms: VmService, id: string, previous: string): Promise<void> {
  const adopted = await vms.migration.adopt(id);
  if (adopted.kind === 'dead') return vms.migration.markDead(id, adopted.exit);
  const { engine, guest } = adopted.rt;
  if (adopted.status === 'inmigrate') {
    // A restore that did not finish: nothing of the guest runs yet.
    await vms.migration.kill(id);
    vms.migration.markStopped(id, 'restore interrupted by a server restart');
    return;
  }
  await engine.migration.cancel(guest);
  await engine.migration.resumeSource(guest, previous === 'running');
  await vms.migration.settle(id, 'stopped');
}

/**
 * This host was sending the VM. Offline: defined on the peer means moved. Live: a stream still running is
 * cancelled and the guest resumed; after a completed stream the target is asked to start the guest (the
 * source goes once it runs there); when the peer cannot say, or post-copy was under way, the guest stays
 * paused here.
 */
async function adoptSource(
  vms: VmService,
  peers: PeerService,
  id: string,
  marker: SourceMarker,
): Promise<void> {
  const client = (() => {
    try {
      return peers.client(marker.peerId);
    } catch {
      return undefined;
    }
  })();
  const target =
    marker.incomingId !== undefined && marker.targetVmId !== undefined
      ? { incomingId: marker.incomingId, vmId: marker.targetVmId }
      : undefined;
  const ask = async (offline = false) =>
    client && target ? (await askTargetRuns(client, target, 10_000, offline)).verdict : 'not-running';
  const moved = { keepDefinition: marker.keepDefinition, reason: `migrated to ${marker.peerName}` };
  const retire = async (): Promise<void> => {
    await markCopied(vms, id, marker);
    await vms.migration.retire(id, moved);
  };
  if (marker.kind === 'offline') {
    if ((await ask(true)) === 'running') {
      await markCopied(vms, id, marker);
      return retireOffline(vms, id, moved);
    }
    if (client && target) await abortTarget(client, target.incomingId);
    vms.migration.settleAs(id, marker.previousState);
    return;
  }
  const adopted = await vms.migration.adopt(id);
  if (adopted.kind === 'dead') {
    if ((await ask()) === 'running') return retire();
    return vms.migration.markDead(id, adopted.exit);
  }
  const { engine, guest } = adopted.rt;
  const info = await guest.qmp.execute('query-migrate').catch(() => null);
  // No answer (undefined): nothing is known, the guest stays paused below. No migration yet: `none`.
  const status = info === null ? undefined : (info.status ?? 'none');
  if (status !== undefined && !status.startsWith('postcopy') && status !== 'completed') {
    // The guest never ran on the target: stop the stream and go on here.
    await engine.migration.cancel(guest);
    if (client && target) await abortTarget(client, target.incomingId);
    await engine.migration.resumeSource(guest, marker.previousState === 'running');
    await vms.migration.settle(id, 'stopped');
    return;
  }
  if (status === 'completed') {
    // The target holds the whole guest: let it start there, as the job would have.
    const started =
      client && target
        ? await finishTarget(client, target.incomingId).then(
            () => true,
            () => false,
          )
        : false;
    const verdict = started ? 'running' : await ask();
    if (verdict === 'running') return retire();
    if (verdict === 'not-running') {
      if (client && target) await abortTarget(client, target.incomingId);
      await engine.migration.resumeSource(guest, marker.previousState === 'running');
      await vms.migration.settle(id, 'stopped');
      return;
    }
  }
  console.log(
    `virtweb: VM ${id} was migrating to ${marker.peerName}, which does not say whether it runs the guest ` +
      `(or post-copy was under way): it stays paused here until you know`,
  );
  vms.migration.settleAs(id, 'paused');
}

/** The move stands: the disks it copied are old copies here now (before the VM's record goes). */
async function markCopied(vms: VmService, id: string, marker: SourceMarker): Promise<void> {
  const copied = marker.copiedDisks ?? [];
  if (copied.length === 0) return;
  const vmName = vms.repo.get(id)?.definition.name ?? id;
  const failed = await markOldCopies(vms, copied, { vmName, host: marker.peerName });
  for (const f of failed) console.error(`virtweb: ${f.name} could not be marked as an old copy: ${f.why}`);
}

async function retireOffline(
  vms: VmService,
  id: string,
  moved: { keepDefinition: boolean; reason: string },
): Promise<void> {
  if (moved.keepDefinition) vms.migration.markStopped(id, moved.reason);
  else await vms.migration.undefine(id);
}
