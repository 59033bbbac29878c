// Save a running guest into a state file and restore it later: the jobs around the engine's saveState and
// restoreState, with the VM's state, the sidecar and the checks a restore needs.
import os from 'node:os';
import { freezeFilesystems } from '../agent/fs-freeze.ts';
import {
  ErrorCode,
  formatBytes,
  LIVE_STATES,
  OFFLINE_STATES,
  type MigrationJob,
  type SavedState,
} from '@virtweb/protocol';
import type { QemuIdentity } from '@virtweb/qemu';
import { Conflict } from '../domain/errors.ts';
import type { VmService } from '../vms/vm-service.ts';
import { majorMinor } from './checks.ts';
import type { SaveStateResult } from '../engine/guest-migration.ts';
import type { JobHandle, MigrationJobs } from './jobs.ts';
import { removeMarker, writeMarker } from './markers.ts';
import { diskFacts, restoreProblems, StateStore, type Sidecar } from './state-store.ts';

/** The saved-states API: list, save, restore, delete. */
export class SavedStates {
  readonly store: StateStore;

  constructor(
    private readonly vms: VmService,
    private readonly jobs: MigrationJobs,
    dir: string,
    private readonly qemuVersion: () => Promise<string>,
  ) {
    this.store = new StateStore(dir);
  }

  init(): Promise<void> {
    return this.store.init();
  }

  list(): Promise<SavedState[]> {
    return this.store.list();
  }

  /**
   * `POST /api/vms/:id/save`: the guest's state into `<name>.vmstate.zst`, then its qemu quits (`stopped`).
   * @throws Invalid (name), NotFound, Conflict (not running or paused, name taken, VM busy)
   */
  async save(vmId: string, requested: string | undefined): Promise<MigrationJob> {
    const vm = this.vms.get(vmId);
    if (!LIVE_STATES.includes(vm.state) || !this.vms.runtime(vmId)) {
      throw new Conflict(
        ErrorCode.wrongState,
        `cannot save a VM that is ${vm.state} (allowed when running or paused)`,
      );
    }
    const name = this.store.fileName(vm.name, requested);
    if ((await this.store.exists(name)) || this.jobs.activeOn(name)) {
      throw new Conflict(ErrorCode.exists, `a saved state named ${name} already exists`);
    }
    this.refuseBusy(vmId);
    const handle = this.jobs.start({ vmId, vmName: vm.name, kind: 'save', target: name, targetName: name });
    // Requires: running or paused (the `save` operation). Rollback of a failed save: the guest goes on as it was.
    void this.vms.states
      .run(vmId, 'save', `saving its state to ${name}`, () => this.runSave(vmId, name, handle))
      .catch((err: unknown) => handle.finish({ phase: 'failed', error: errorText(err) }));
    return structuredClone(handle.job);
  }

  /**
   * `POST /api/saved-states/:name/restore`: its VM (stopped, with the same hardware and untouched disks)
   * starts from the saved state.
   * @throws NotFound, Conflict (VM gone or not stopped, configuration or disks changed, busy)
   */
  async restore(name: string): Promise<MigrationJob> {
    const sidecar = await this.store.sidecar(name);
    const rec = this.vms.repo.get(sidecar.vmId);
    if (!rec) throw new Conflict(ErrorCode.conflict, `VM ${sidecar.vmName} of this state no longer exists`);
    if (!OFFLINE_STATES.includes(rec.state)) {
      throw new Conflict(
        ErrorCode.wrongState,
        `VM ${rec.definition.name} is ${rec.state}: power it off first`,
      );
    }
    const problems = await restoreProblems(sidecar, rec.definition, (i) => this.vms.images.path(i));
    const version = await this.qemuVersion();
    if (majorMinor(version) !== majorMinor(sidecar.qemuVersion)) {
      problems.push(`saved with qemu ${sidecar.qemuVersion}, this host has ${version}`);
    }
    if (problems.length > 0) {
      throw new Conflict(ErrorCode.conflict, `cannot restore ${name}: ${problems.join('; ')}`);
    }
    if (this.jobs.activeOn(name)) throw new Conflict('busy', `${name} is in use by another job`);
    this.refuseBusy(rec.id);
    const handle = this.jobs.start({
      vmId: rec.id,
      vmName: rec.definition.name,
      kind: 'restore',
      target: name,
      targetName: name,
    });
    // Requires: no qemu (the `restore` operation). Rollback of a failed restore: qemu killed, the VM stopped.
    void this.vms.states
      .run(rec.id, 'restore', `restoring ${name}`, () => this.runRestore(rec.id, name, sidecar, handle))
      .catch((err: unknown) => handle.finish({ phase: 'failed', error: errorText(err) }));
    return structuredClone(handle.job);
  }

  /** @throws NotFound, Conflict while a job uses it */
  async remove(name: string): Promise<void> {
    if (this.jobs.activeOn(name)) throw new Conflict('busy', `${name} is in use by a save or restore`);
    await this.store.remove(name);
  }

  /** The stream socket's owner: qemu's user (nothing when qemu runs as the server's own user). */
  private async socketOwner(): Promise<{ socketOwner?: QemuIdentity }> {
    const owner = await this.vms.qemuAccess.user.identity();
    return owner === undefined ? {} : { socketOwner: owner };
  }

  private refuseBusy(vmId: string): void {
    const holder = this.vms.states.holder(vmId);
    if (holder !== undefined) throw new Conflict('busy', `the VM is busy ${holder.what}`);
  }

  private async runSave(vmId: string, name: string, handle: JobHandle): Promise<void> {
    const previous = this.vms.migration.begin(vmId, 'save');
    const runDir = this.vms.engineOf(vmId).runDir(vmId);
    const rt = this.vms.runtime(vmId);
    if (!rt) throw new Error('the VM has no qemu process');
    await writeMarker(runDir, { role: 'save', previousState: previous });
    handle.setPhase('migrating');
    // NOTE: a saved guest stays frozen in its state file (the qemu it ran in quits paused, where its agent
    // cannot answer a thaw); the agent watch thaws it once it answers after the restore.
    const freeze = await freezeFilesystems(this.vms.agents.answering(vmId));
    handle.note(freeze.note);
    let result: SaveStateResult;
    try {
      result = await rt.engine.migration.save(rt.guest, {
        file: this.store.path(name),
        socketParent: os.tmpdir(),
        ...(await this.socketOwner()),
        signal: handle.signal,
        onProgress: (p) => handle.progress(p, 'migrating'),
      });
    } catch (err) {
      await freeze.thaw();
      await this.vms.migration.settle(vmId, previous);
      await removeMarker(runDir);
      const state = this.vms.repo.get(vmId)?.state ?? 'gone';
      const phase = handle.signal.aborted ? 'cancelled' : 'failed';
      handle.finish({ phase, error: `${errorText(err)}; the VM is ${state}` });
      return;
    }
    handle.setPhase('switching');
    const def = this.vms.definition(vmId);
    await this.vms.migration.quit(vmId);
    // The description is written before the VM shows "stopped, saved to …": a restore asked as soon as it
    // does finds the state complete.
    try {
      await this.store.writeSidecar(name, {
        vmId,
        vmName: def.name,
        createdAt: new Date().toISOString(),
        definition: def,
        accel: rt.accel,
        qemuVersion: await this.qemuVersion(),
        disks: await diskFacts(def, (i) => this.vms.images.path(i)),
        streamBytes: result.streamBytes,
        paused: previous === 'paused',
      });
    } finally {
      this.vms.migration.markStopped(vmId, `saved to ${name}`);
      await removeMarker(runDir);
    }
    handle.note(
      `${formatBytes(result.sizeBytes)} on disk (${formatBytes(result.streamBytes)} of state before zstd)`,
    );
    handle.finish({ phase: 'completed', totalTimeMs: result.totalTimeMs, downtimeMs: result.downtimeMs });
  }

  private async runRestore(
    vmId: string,
    name: string,
    saved: Pick<Sidecar, 'accel' | 'paused'>,
    handle: JobHandle,
  ): Promise<void> {
    const previous = this.vms.migration.begin(vmId, 'restore');
    const runDir = this.vms.engineOf(vmId).runDir(vmId);
    const started = Date.now();
    await writeMarker(runDir, { role: 'restore', previousState: previous });
    try {
      handle.setPhase('preparing');
      const rt = await this.vms.migration.launchIncoming(vmId, saved.accel);
      handle.setPhase('migrating');
      await rt.engine.migration.restore(rt.guest, {
        file: this.store.path(name),
        socketParent: os.tmpdir(),
        ...(await this.socketOwner()),
        signal: handle.signal,
        onProgress: (p) => handle.progress(p, 'migrating'),
        start: !saved.paused,
      });
      this.vms.migration.started(vmId, saved.paused);
      handle.finish({ phase: 'completed', totalTimeMs: Date.now() - started });
    } catch (err) {
      await this.vms.migration.kill(vmId);
      const cancelled = handle.signal.aborted;
      this.vms.migration.markStopped(vmId, `restore from ${name} ${cancelled ? 'cancelled' : 'failed'}`);
      handle.finish({ phase: cancelled ? 'cancelled' : 'failed', error: errorText(err) });
    } finally {
      await removeMarker(runDir).catch(() => undefined);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
