// What the source-side job runners (live, offline) share: the services, the plan, and the steps both take.
import fs from 'node:fs/promises';
import { type MigrationOptions, type MigrationPhase, type Vm } from '@virtweb/protocol';
import { z } from 'zod';
import { PeerCallError, type PeerClient } from '../peers/peer-client.ts';
import type { VmService } from '../vms/vm-service.ts';
import { SERIAL_LOG_MOVED_BYTES, type IncomingAnswer, type IncomingRequest } from './incoming-api.ts';
import { sendImage, totalBytes } from './image-transfer.ts';
import type { JobHandle } from './jobs.ts';
import { cancelledError } from '../engine/guest-migration.ts';
import { writeMarker, type Marker } from './markers.ts';
import { OLD_COPIES_PATH, postIncoming } from './target-calls.ts';

/** A migration decided on: the VM, the peer, what the target is asked for, and what must be copied first. */
export interface MigrationPlan {
  vm: Vm;
  peer: { id: string; name: string; url: string; client: PeerClient };
  copyStorage: boolean;
  keepDefinition: boolean;
  /** The state before the job marked it `migrating`. */
  previousState: Vm['state'];
  options: MigrationOptions;
  /** The body of `POST /api/migrations/incoming` on the target. */
  incoming: IncomingRequest;
  /** Images to upload to the peer before the VM is defined there (offline: disks; both: missing media). */
  uploads: string[];
  /** Old copies an earlier move left on the peer under the disks' names: deleted there first, then copied. */
  replaces: string[];
}

/** Throws the cancel error once the job was aborted (checked between steps that cannot be interrupted). */
export function throwIfAborted(handle: JobHandle): void {
  if (handle.signal.aborted) throw cancelledError('migration');
}

/**
 * Uploads `plan.uploads` to the peer, one after the other, with the disk-copy progress in the job; the names
 * that arrived are pushed to `sent` (so a failure can take them away again).
 */
export async function uploadAll(
  vms: VmService,
  plan: MigrationPlan,
  handle: JobHandle,
  sent: string[],
): Promise<void> {
  const files = plan.uploads.map((name) => ({ name, file: vms.images.path(name) }));
  const total = await totalBytes(files.map((f) => f.file));
  let before = 0;
  for (const { name, file } of files) {
    throwIfAborted(handle);
    await sendImage(plan.peer.client, name, file, {
      signal: handle.signal,
      onBytes: (n) => {
        const copied = before + n;
        handle.progress(
          {
            fraction: total > 0 ? copied / total : 1,
            transferredBytes: copied,
            remainingBytes: Math.max(0, total - copied),
            totalBytes: total,
            dirtyPagesRate: 0,
            passes: 0,
            disk: { copiedBytes: copied, totalBytes: total },
          },
          'mirroring',
        );
      },
    });
    sent.push(name);
    before += (await fs.stat(file)).size;
  }
}

/**
 * The target's request with the files that move with the guest: the end of its serial log, its TPM state and
 * its UEFI variable store, read now: the job holds the VM (`migrating`), so
 * this is the store at the time of the move. A UEFI guest never started has none yet: nothing is sent, and
 * the target makes one from its template at the first start. The source's own store goes when the VM is
 * undefined here after the move (`keepDefinition` keeps it).
 */
export async function withGuestFiles(vms: VmService, plan: MigrationPlan): Promise<IncomingRequest> {
  const withLog = await withSerialLog(vms, plan.vm.id, plan.incoming);
  const tpm = plan.vm.devices.tpm === 'tpm2' ? await vms.tpm.read(plan.vm.id) : undefined;
  const withTpm = tpm === undefined ? withLog : { ...withLog, tpmState: tpm.toString('base64') };
  if (plan.vm.firmware === 'bios') return withTpm;
  const store = await vms.nvram.read(plan.vm.id);
  return store === undefined ? withTpm : { ...withTpm, nvram: store.toString('base64') };
}

/** The request with the end of the guest's serial log: its console history moves with it. */
async function withSerialLog(vms: VmService, id: string, req: IncomingRequest): Promise<IncomingRequest> {
  const log = await vms.serialLogs.tail(id, SERIAL_LOG_MOVED_BYTES);
  return log.length === 0 ? req : { ...req, serialLog: log.toString('base64') };
}

/** What of a move has reached the peer so far: what the caller's undo must take away again. */
export interface Reached {
  uploaded: string[];
  incoming?: IncomingAnswer;
}

/**
 * The start both moves share: the source's marker (so a restart finds the job), the uploads, the target's
 * incoming VM (with the UEFI store), and the marker naming it. `reached` is filled as things land on the peer,
 * so the caller's undo can take them away again when a later step throws.
 */
export async function openTarget(
  vms: VmService,
  plan: MigrationPlan,
  handle: JobHandle,
  kind: 'live' | 'offline',
  phases: { upload: MigrationPhase; define: MigrationPhase },
  reached: Reached,
): Promise<IncomingAnswer> {
  const runDir = vms.engineOf(plan.vm.id).runDir(plan.vm.id);
  const marker: Marker = {
    role: 'source',
    kind,
    peerId: plan.peer.id,
    peerName: plan.peer.name,
    keepDefinition: plan.keepDefinition,
    previousState: plan.previousState,
    ...(plan.copyStorage ? { copiedDisks: plan.vm.disks.map((d) => d.image) } : {}),
  };
  await writeMarker(runDir, marker);
  handle.setPhase(phases.upload);
  await deleteOldCopies(plan, handle);
  await uploadAll(vms, plan, handle, reached.uploaded);
  throwIfAborted(handle);
  handle.setPhase(phases.define);
  const incoming = await postIncoming(plan.peer.client, await withGuestFiles(vms, plan));
  reached.incoming = incoming;
  await writeMarker(runDir, { ...marker, incomingId: incoming.incomingId, targetVmId: incoming.vmId });
  return incoming;
}

/**
 * Deletes on the peer the old copies the copy replaces (the checks showed them as replaced; the peer refuses
 * one a VM uses there). They are stale copies of these very disks, so nothing is lost that the copy brings.
 * @throws PeerCallError when the peer refuses: the move stops before anything was copied
 */
async function deleteOldCopies(plan: MigrationPlan, handle: JobHandle): Promise<void> {
  const { client, name: peerName } = plan.peer;
  for (const name of plan.replaces) {
    // The peer deletes only an image it has marked as an old copy itself, and none a VM uses.
    const path = `${OLD_COPIES_PATH}/${encodeURIComponent(name)}`;
    await client.call('DELETE', path, z.undefined(), undefined, 15_000);
    handle.note(`the old copy of ${name} on ${peerName} was deleted; the copy replaces it`);
  }
}

/**
 * After a move that copied the disks: the disks here are not the VM's any more. Each is marked as an old copy
 * (shown on the Images page, never taken for the disk by a later move); a mark that cannot be written is said.
 */
export async function markLeftBehind(vms: VmService, plan: MigrationPlan, handle: JobHandle): Promise<void> {
  const names = plan.vm.disks.map((d) => d.image);
  const failed = await markOldCopies(vms, names, { vmName: plan.vm.name, host: plan.peer.name });
  for (const f of failed) handle.note(`${f.name} could not be marked as an old copy here: ${f.why}`);
  if (names.length > 0) {
    handle.note(`${names.join(', ')} stay on this host as old copies (Images: delete them when not needed)`);
  }
}

/** Marks `names` as old copies of the VM moved to `host` now. @returns the marks that could not be written */
export async function markOldCopies(
  vms: VmService,
  names: string[],
  moved: { vmName: string; host: string },
): Promise<{ name: string; why: string }[]> {
  const mark = { ...moved, movedAt: new Date().toISOString() };
  const failed: { name: string; why: string }[] = [];
  for (const name of names) {
    await vms.images.oldCopies
      .mark(name, mark)
      .catch((err: unknown) => failed.push({ name, why: errorText(err) }));
  }
  if (names.length > 0) vms.images.changed();
  return failed;
}

/**
 * Best effort: removes the images this job uploaded to the peer (what a `peer` token may remove there).
 * @returns what could not be removed
 */
export async function removeUploads(client: PeerClient, names: string[]): Promise<string[]> {
  const left: string[] = [];
  const remove = (path: string) => client.call('DELETE', path, z.undefined(), undefined, 15_000);
  for (const name of names) {
    const image = encodeURIComponent(name);
    await remove(`/api/migrations/incoming/uploads/${image}`)
      .catch(async (err: unknown) => {
        // NOTE: a peer from before token scopes has no such route; its token may delete images.
        if (err instanceof PeerCallError && err.status === 404) await remove(`/api/images/${image}`);
        else throw err;
      })
      .catch(() => left.push(name));
  }
  return left;
}

/** Words for an error of any kind. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Ends a job that was undone (the VM stays here): `cancelled` for the user's cancel, else `failed` with the
 * reason (a watchdog's reason wins over the cancel it caused), and where the guest is now.
 */
export function finishUndone(vms: VmService, plan: MigrationPlan, handle: JobHandle, err: unknown): void {
  const state = vms.repo.get(plan.vm.id)?.state;
  const where = state === undefined ? '' : `; the VM is ${state} here`;
  const cancelled = handle.signal.aborted && handle.abortReason === undefined;
  const reason = handle.abortReason ?? errorText(err);
  handle.finish(
    cancelled
      ? { phase: 'cancelled', error: `cancelled${where}` }
      : { phase: 'failed', error: `${reason}${where}` },
  );
}
