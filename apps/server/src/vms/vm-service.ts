import crypto from 'node:crypto';
import type { QemuExit } from '@virtweb/qemu';
import {
  ErrorCode,
  type CreateVmRequestSchema,
  type Vm,
  type VmAction,
  type VmExit,
  type VmState,
} from '@virtweb/protocol';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.ts';
import { badRequest, conflict, HttpError, notFound } from '../http/errors.ts';
import type { ImageService } from '../images/image-service.ts';
import type { SampledGuest } from '../metrics/sampler.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import { definitionFromRequest, type VmDefinition } from './definition.ts';
import { isActionAllowed, PROCESS_STATES, refusalMessage } from './lifecycle.ts';
import { VmStorage } from './storage/vm-storage.ts';
import type { VmLauncher } from './vm-launch.ts';
import { VmRuntime } from './vm-runtime.ts';

/** Host limits a definition is checked against. */
export interface HostLimits {
  cpus: number;
  memoryBytes: number;
}

/** The VM service: definitions in the store, live qemu processes, lifecycle actions and their events. */
export class VmService {
  private readonly runtimes = new Map<string, VmRuntime>();
  private readonly accelReasons = new Map<string, string>();
  /** Disks, CD and snapshots of the VMs (`/api/vms/:id/{disks,cdrom,snapshots}`). */
  readonly storage: VmStorage;

  constructor(
    private readonly repo: VmsRepo,
    private readonly images: ImageService,
    private readonly launcher: VmLauncher,
    private readonly bus: EventBus,
    private readonly limits: HostLimits,
    private readonly shutdownTimeoutMs: number,
  ) {
    images.setUsers((name) => this.usersOf(name));
    this.storage = new VmStorage(this, images, bus);
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
    const out: SampledGuest[] = [];
    for (const [id, rt] of this.runtimes) {
      const rec = this.repo.get(id);
      if (rec)
        out.push({ id, pid: rt.pid, memoryBytes: rec.definition.memoryMiB * 2 ** 20, qmp: rt.proc.qmp });
    }
    return out;
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

  /** @throws HttpError 400 (limits, missing images), 409 (name taken) */
  async create(req: z.output<typeof CreateVmRequestSchema>): Promise<Vm> {
    const def = definitionFromRequest(req);
    await this.checkDefinition(def);
    def.disks = await Promise.all(
      def.disks.map(async (d) => ({ ...d, format: await this.images.formatOf(d.image) })),
    );
    if (this.repo.nameTaken(def.name))
      throw conflict(ErrorCode.exists, `a VM named ${def.name} already exists`);
    const rec: VmRecord = {
      id: crypto.randomBytes(6).toString('hex'),
      definition: def,
      state: 'defined',
      lastExit: undefined,
      createdAt: new Date().toISOString(),
      startedAt: undefined,
    };
    this.repo.insert(rec);
    this.publish(rec);
    this.bus.publish({ type: 'images.changed' });
    return this.toVm(rec);
  }

  /** @throws HttpError 404, 409 while qemu runs */
  delete(id: string): void {
    const rec = this.record(id);
    if (PROCESS_STATES.includes(rec.state)) {
      throw conflict(ErrorCode.wrongState, `VM ${rec.definition.name} is ${rec.state}; power it off first`);
    }
    this.repo.delete(id);
    this.bus.publish({ type: 'vm.deleted', id });
    this.bus.publish({ type: 'images.changed' });
  }

  /** Runs a lifecycle action. @throws HttpError 404, 409 (wrong state or qemu refused) */
  async action(id: string, action: VmAction): Promise<Vm> {
    const rec = this.record(id);
    if (!isActionAllowed(action, rec.state))
      throw conflict(ErrorCode.wrongState, refusalMessage(action, rec.state));
    if (action === 'start') return this.start(rec);
    const rt = this.runtimes.get(id);
    if (!rt) throw conflict(ErrorCode.wrongState, `VM ${rec.definition.name} has no qemu process`);
    switch (action) {
      case 'shutdown':
        this.setState(rec, 'stopping');
        void rt.proc.stop({ powerdownTimeoutMs: this.shutdownTimeoutMs }).catch(() => undefined);
        break;
      case 'poweroff':
        this.setState(rec, 'stopping');
        void rt.proc.stop({ from: 'quit' }).catch(() => undefined);
        break;
      case 'reset':
        await rt.proc.qmp.execute('system_reset');
        break;
      case 'pause':
        await rt.proc.qmp.execute('stop');
        this.setState(rec, 'paused');
        break;
      case 'resume':
        await rt.proc.qmp.execute('cont');
        this.setState(rec, 'running');
        break;
    }
    return this.toVm(rec);
  }

  /** Re-adopts the guests that kept running while the server was down; marks the dead ones. */
  async adoptAll(): Promise<void> {
    for (const rec of this.repo.list()) {
      if (!PROCESS_STATES.includes(rec.state)) continue;
      const adopted = await this.launcher.adopt(rec.id);
      if (adopted.kind === 'dead') {
        rec.lastExit = {
          ...adopted.exit,
          reason: `${adopted.exit.reason} (while the server was not running)`,
        };
        this.setState(rec, adopted.exit.kind === 'crashed' ? 'crashed' : 'stopped');
        continue;
      }
      const rt = await VmRuntime.attach(adopted.proc, adopted.accel, this.hooks(rec.id));
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

  private async start(rec: VmRecord): Promise<Vm> {
    const previous = rec.state;
    this.setState(rec, 'starting');
    try {
      const launched = await this.launcher.launch(rec.id, rec.definition);
      const rt = await VmRuntime.attach(launched.proc, launched.accel, this.hooks(rec.id));
      this.runtimes.set(rec.id, rt);
      this.storage.attach(rec.id, rt);
      if (launched.accelReason) this.accelReasons.set(rec.id, launched.accelReason);
      else this.accelReasons.delete(rec.id);
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

  private hooks(id: string): Parameters<typeof VmRuntime.attach>[2] {
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

  private async checkDefinition(def: VmDefinition): Promise<void> {
    const hostMiB = Math.floor(this.limits.memoryBytes / 2 ** 20);
    if (def.memoryMiB > hostMiB) {
      throw badRequest(`memoryMiB: ${def.memoryMiB} MiB is more than the host has (${hostMiB} MiB)`, [
        { path: 'memoryMiB', message: `at most ${hostMiB} MiB on this host` },
      ]);
    }
    if (def.vcpus > this.limits.cpus) {
      throw badRequest(`vcpus: ${def.vcpus} is more than the host's ${this.limits.cpus} CPUs`, [
        { path: 'vcpus', message: `at most ${this.limits.cpus} on this host` },
      ]);
    }
    const wanted = [
      ...def.disks.map((d, i) => ({ path: `disks.${i}.image`, image: d.image })),
      ...(def.cdrom === undefined ? [] : [{ path: 'cdrom', image: def.cdrom }]),
    ];
    for (const w of wanted) {
      if (!(await this.images.exists(w.image))) {
        throw badRequest(`${w.path}: no image named ${w.image}`, [
          { path: w.path, message: 'no such image' },
        ]);
      }
    }
    if (def.boot === 'disk' && def.disks.length === 0) {
      throw badRequest('boot: cannot boot from disk without a disk', [
        { path: 'boot', message: 'add a disk' },
      ]);
    }
    if (def.boot === 'cdrom' && def.cdrom === undefined && def.disks.length > 0) {
      throw badRequest('boot: cannot boot from the CD without a CD image', [
        { path: 'boot', message: 'pick a CD image' },
      ]);
    }
  }

  private usersOf(image: string): string[] {
    return this.repo
      .list()
      .filter((r) => r.definition.cdrom === image || r.definition.disks.some((d) => d.image === image))
      .map((r) => r.id);
  }

  private record(id: string): VmRecord {
    const rec = this.repo.get(id);
    if (!rec) throw notFound(`VM ${id}`);
    return rec;
  }

  private setState(rec: VmRecord, state: VmState): void {
    rec.state = state;
    this.repo.saveState(rec);
    this.publish(rec);
  }

  private publish(rec: VmRecord): void {
    this.bus.publish({ type: 'vm.updated', vm: this.toVm(rec) });
  }

  private toVm(rec: VmRecord): Vm {
    const rt = this.runtimes.get(rec.id);
    const reason = this.accelReasons.get(rec.id);
    const d = rec.definition;
    return {
      id: rec.id,
      name: d.name,
      state: rec.state,
      memoryMiB: d.memoryMiB,
      vcpus: d.vcpus,
      disks: d.disks,
      ...(d.cdrom === undefined ? {} : { cdrom: d.cdrom }),
      boot: d.boot,
      network: d.network,
      machine: d.machine,
      accel: d.accel,
      createdAt: rec.createdAt,
      ...(rt ? { pid: rt.pid, activeAccel: rt.accel } : {}),
      ...(reason === undefined ? {} : { accelReason: reason }),
      ...(rec.startedAt === undefined ? {} : { startedAt: rec.startedAt }),
      ...(rec.lastExit === undefined ? {} : { lastExit: rec.lastExit }),
    };
  }
}
