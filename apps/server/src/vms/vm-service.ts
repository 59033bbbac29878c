import type { QemuExit } from '@virtweb/qemu';
import {
  ErrorCode,
  type BalloonInfo,
  type CloneVmRequestSchema,
  type CommandLine,
  type CreateVmRequestSchema,
  type DeleteVmRequestSchema,
  type UpdateVmRequestSchema,
  type Vm,
  type VmAction,
  type VmExit,
  type VmState,
} from '@virtweb/protocol';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.ts';
import type { HostCapabilities } from '../host/capabilities.ts';
import type { QemuAccess } from '../host/qemu-access.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import type { ImageService } from '../images/image-service.ts';
import type { SampledGuest } from '../metrics/sampler.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { isActionAllowed, PROCESS_STATES, refusalMessage } from './lifecycle.ts';
import type { NvramStore } from './nvram.ts';
import { VmOperationLocks } from './storage/storage-host.ts';
import { VmStorage } from './storage/vm-storage.ts';
import { balloonInfo, setBalloon } from './vm-balloon.ts';
import { cloneVm } from './vm-clone.ts';
import type { VmContext } from './vm-context.ts';
import { createVm, previewVm } from './vm-create.ts';
import { deleteVm } from './vm-delete.ts';
import type { Launched, VmLauncher } from './vm-launch.ts';
import { VmMigrationOps } from './vm-migration.ts';
import { runOnProcess } from './vm-actions.ts';
import { VmRuntime } from './vm-runtime.ts';
import { updateVm } from './vm-update.ts';
import { assertValid, type ValidationHost } from './vm-validation.ts';
import { validationHost, vmView } from './vm-view.ts';

/** The host facts VM definitions are checked against. */
export type HostFacts = Pick<HostCapabilities, 'limits' | 'network' | 'nicProblem' | 'firmware'>;

/** The VM service: definitions in the store, live qemu processes, lifecycle actions and their events. */
export class VmService implements VmContext {
  private readonly runtimes = new Map<string, VmRuntime>();
  private readonly accelReasons = new Map<string, string>();
  /** Disks, CD and snapshots of the VMs (`/api/vms/:id/{disks,cdrom,snapshots}`). */
  readonly storage: VmStorage;
  readonly checks: ValidationHost;
  readonly nvram: NvramStore;
  /** qemu's user: files a running qemu is about to open are granted to it first. */
  readonly qemuAccess: QemuAccess;
  readonly ops = new VmOperationLocks();
  /** What migrations, saves and restores do to VMs (state `migrating`, incoming qemu, removal). */
  readonly migration: VmMigrationOps;

  constructor(
    readonly repo: VmsRepo,
    readonly images: ImageService,
    readonly launcher: VmLauncher,
    readonly bus: EventBus,
    host: HostFacts,
    private readonly shutdownTimeoutMs: number,
  ) {
    images.setUsers((name) => this.usersOf(name));
    this.storage = new VmStorage(this, images, bus);
    this.nvram = launcher.nvram;
    this.qemuAccess = launcher.access;
    this.checks = validationHost(repo, images, host);
    this.migration = new VmMigrationOps(this, {
      attach: (id, launched, def) => this.attachRuntime(id, launched, def),
      setState: (rec, state) => this.setState(rec, state),
    });
  }

  list(): Vm[] {
    return this.repo.list().map((r) => this.toVm(r));
  }

  /** @throws HttpError 404 */
  get(id: string): Vm {
    return this.toVm(this.record(id));
  }

  /** Every guest with a live qemu process, for the metrics sampler. */
  sampledGuests(): SampledGuest[] {
    // The memory qemu was started with (`-m`), from the runtime: no store read in this 1 Hz path.
    return [...this.runtimes].map(([id, rt]) => ({
      id,
      pid: rt.pid,
      memoryBytes: rt.launched.memoryMiB * 2 ** 20,
      qmp: rt.proc.qmp,
    }));
  }

  /** The stored definition of a VM. @throws HttpError 404 */
  definition(id: string): VmDefinition {
    return this.record(id).definition;
  }

  /** Stores an edited definition (disk and CD changes) and publishes the VM. @throws HttpError 404 */
  updateDefinition(id: string, edit: (def: VmDefinition) => VmDefinition): void {
    const rec = this.record(id);
    rec.definition = edit(rec.definition);
    this.repo.updateDefinition(id, rec.definition);
    this.publish(rec);
    this.bus.publish({ type: 'images.changed' });
  }

  /** The live runtime of a VM (serial console, QMP), if qemu runs. */
  runtime(id: string): VmRuntime | undefined {
    return this.runtimes.get(id);
  }

  /** @throws HttpError 400 (field issues), 409 (name or new image taken, image in use) */
  create(req: z.output<typeof CreateVmRequestSchema>): Promise<Vm> {
    return createVm(this, req);
  }

  /** The command line a create request would run; nothing is created. @throws HttpError 400, 409 */
  preview(req: z.output<typeof CreateVmRequestSchema>): Promise<CommandLine> {
    return previewVm(this, req);
  }

  /** The command line the next start of a VM runs. @throws HttpError 404, 409 */
  async commandLine(id: string): Promise<CommandLine> {
    const rec = this.record(id);
    return this.launcher.commandLine(id, rec.definition);
  }

  /** @throws HttpError 400, 404, 409 (disks or CD changed while running, wrong state, name taken) */
  update(id: string, req: z.output<typeof UpdateVmRequestSchema>): Promise<Vm> {
    return updateVm(this, id, req);
  }

  /** @throws HttpError 400, 404, 409 (not stopped, name or target taken) */
  clone(id: string, req: z.output<typeof CloneVmRequestSchema>): Promise<Vm> {
    return cloneVm(this, id, req);
  }

  /** @throws HttpError 400 (not this VM's image), 404, 409 (qemu runs, image used elsewhere or backing others) */
  delete(id: string, req: z.output<typeof DeleteVmRequestSchema> = { deleteImages: [] }): Promise<void> {
    return deleteVm(this, id, req);
  }

  /** @throws HttpError 400, 404, 409 (not running, no balloon device, qemu refused) */
  balloon(id: string, targetMiB: number): Promise<BalloonInfo> {
    return setBalloon(this, id, targetMiB);
  }

  /** @throws HttpError 404, 409 */
  balloonInfo(id: string): Promise<BalloonInfo> {
    return balloonInfo(this, id);
  }

  /** Runs a lifecycle action. @throws HttpError 404, 409 (wrong state, invalid definition or qemu refused) */
  async action(id: string, action: VmAction): Promise<Vm> {
    const rec = this.record(id);
    if (!isActionAllowed(action, rec.state))
      throw conflict(ErrorCode.wrongState, refusalMessage(action, rec.state));
    if (action === 'start') return this.ops.with(id, 'a start', () => this.start(this.record(id)));
    const rt = this.runtimes.get(id);
    if (!rt) throw conflict(ErrorCode.wrongState, `VM ${rec.definition.name} has no qemu process`);
    const next = await runOnProcess(rt.proc, action, this.shutdownTimeoutMs);
    if (next) this.setState(rec, next);
    return this.toVm(rec);
  }

  /**
   * Re-adopts the guests that kept running while the server was down; marks the dead ones. VMs left
   * `migrating` are the migration service's to sort out (`MigrationService.adoptAll`).
   */
  async adoptAll(): Promise<void> {
    for (const rec of this.repo.list()) {
      if (!PROCESS_STATES.includes(rec.state) || rec.state === 'migrating') continue;
      const adopted = await this.launcher.adopt(rec.id);
      if (adopted.kind === 'dead') {
        rec.lastExit = {
          ...adopted.exit,
          reason: `${adopted.exit.reason} (while the server was not running)`,
        };
        this.setState(rec, adopted.exit.kind === 'crashed' ? 'crashed' : 'stopped');
        continue;
      }
      const launched = adopted.launched ?? rec.definition;
      const rt = await VmRuntime.attach(adopted.proc, adopted.accel, launched, this.hooks(rec.id));
      this.runtimes.set(rec.id, rt);
      this.storage.attach(rec.id, rt);
      this.setState(rec, adopted.running ? 'running' : 'paused');
    }
  }

  /** Closes the server's connections to guests without stopping them: guests outlive the server. */
  async detachAll(): Promise<void> {
    const all = [...this.runtimes.values()];
    this.runtimes.clear();
    await Promise.all(
      all.map(async (rt) => {
        rt.serial.close();
        await rt.proc.detach();
      }),
    );
  }

  /** @throws HttpError 404 */
  record(id: string): VmRecord {
    const rec = this.repo.get(id);
    if (!rec) throw notFound(`VM ${id}`);
    return rec;
  }

  publish(rec: VmRecord): void {
    this.bus.publish({ type: 'vm.updated', vm: this.toVm(rec) });
  }

  toVm(rec: VmRecord): Vm {
    return vmView(rec, this.runtimes.get(rec.id), this.accelReasons.get(rec.id));
  }

  private async start(rec: VmRecord): Promise<Vm> {
    const previous = rec.state;
    // The host may have changed since the VM was defined: an image deleted, a bridge gone, OVMF removed.
    await assertValid(this.checks, rec.definition, {
      vmId: rec.id,
      attaching: new Set(),
      starting: true,
    }).catch((err: unknown) => {
      if (!(err instanceof HttpError)) throw err;
      throw new HttpError(409, err.code, `cannot start: ${err.message}`, err.details);
    });
    this.setState(rec, 'starting');
    try {
      const launched = await this.launcher.launch(rec.id, rec.definition);
      await this.attachRuntime(rec.id, launched, rec.definition);
      await launched.proc.qmp.execute('cont');
      rec.startedAt = new Date().toISOString();
      rec.lastExit = undefined;
      this.setState(rec, 'running');
      return this.toVm(rec);
    } catch (err) {
      this.runtimes.get(rec.id)?.proc.kill('SIGKILL');
      this.setState(rec, previous);
      if (err instanceof HttpError) throw err;
      const message = err instanceof Error ? err.message : 'unknown error';
      throw new HttpError(409, ErrorCode.qemuFailed, `qemu did not start: ${message}`);
    }
  }

  /** Wires a started (or adopted) qemu to the VM: serial, events, exit, storage. */
  private async attachRuntime(
    id: string,
    launched: Omit<Launched, 'accelReason'> & { accelReason?: string | undefined },
    def: VmDefinition,
  ): Promise<VmRuntime> {
    const rt = await VmRuntime.attach(launched.proc, launched.accel, def, this.hooks(id));
    this.runtimes.set(id, rt);
    this.storage.attach(id, rt);
    if (launched.accelReason !== undefined) this.accelReasons.set(id, launched.accelReason);
    else this.accelReasons.delete(id);
    return rt;
  }

  private hooks(id: string): Parameters<typeof VmRuntime.attach>[3] {
    return {
      onQmpEvent: (event) => this.onQmpEvent(id, event),
      onExit: (exit) => this.onExit(id, exit),
    };
  }

  private onQmpEvent(id: string, event: string): void {
    const rec = this.repo.get(id);
    if (!rec) return;
    if (event === 'STOP' && rec.state === 'running') this.setState(rec, 'paused');
    else if (event === 'RESUME' && rec.state === 'paused') this.setState(rec, 'running');
    else if (event === 'SHUTDOWN' && rec.state !== 'stopping') this.setState(rec, 'stopping');
    this.bus.publish({ type: 'vm.qmp-event', id, event, at: new Date().toISOString() });
  }

  private onExit(id: string, exit: QemuExit): void {
    this.runtimes.delete(id);
    this.accelReasons.delete(id);
    void this.launcher.released(id);
    const rec = this.repo.get(id);
    if (!rec) return;
    const lastExit: VmExit = {
      kind: exit.kind,
      reason: exit.reason,
      at: new Date().toISOString(),
      ...(exit.kind === 'crashed' && exit.logTail ? { logTail: exit.logTail } : {}),
    };
    rec.lastExit = lastExit;
    this.setState(rec, exit.kind === 'crashed' ? 'crashed' : 'stopped');
  }

  private usersOf(image: string): string[] {
    return this.repo
      .list()
      .filter((r) => {
        const d = r.definition;
        return (
          d.cdrom === image ||
          d.disks.some((x) => x.image === image) ||
          d.kernel?.kernel === image ||
          d.kernel?.initrd === image
        );
      })
      .map((r) => r.id);
  }

  private setState(rec: VmRecord, state: VmState): void {
    rec.state = state;
    this.repo.saveState(rec);
    this.publish(rec);
  }
}
