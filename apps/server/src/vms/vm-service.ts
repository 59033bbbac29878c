import {
  type GuestAgentInfo,
  type BalloonInfo,
  type CloneVmRequestSchema,
  type CommandLine,
  type CreateVmRequestSchema,
  type DeleteVmRequestSchema,
  type UpdateVmRequestSchema,
  type Vm,
  type VmAction,
  type Windows11Readiness,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { AgentMonitor } from '../agent/agent-monitor.ts';
import type { Engine } from '../engine/engine.ts';
import type { Engines } from '../engine/engines.ts';
import type { EventBus } from '../events/bus.ts';
import type { QemuAccess } from '../host/qemu-access.ts';
import { NotFound } from '../domain/errors.ts';
import type { ImageService } from '../images/image-service.ts';
import type { SampledGuest } from '../metrics/sampler.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { imageUsers } from './image-users.ts';
import { countedNics, netNoteOf } from './nic-counters.ts';
import type { NvramStore } from './nvram.ts';
import type { TpmStateStore } from './tpm-state.ts';
import { windows11Of } from './vm-windows11.ts';
import type { SerialLogs } from './serial-log.ts';
import { VmStorage } from './storage/vm-storage.ts';
import { VmNics } from './vm-nics.ts';
import { VmUsb, type UsbHost } from './vm-usb.ts';
import type { HostUsbScan } from '../host/usb-devices.ts';
import { balloonInfo, setBalloon } from './vm-balloon.ts';
import { cloneVm } from './vm-clone.ts';
import type { VmContext } from './vm-context.ts';
import { createVm, previewVm } from './vm-create.ts';
import { deleteVm } from './vm-delete.ts';
import { VmLifecycle } from './vm-lifecycle.ts';
import { VmMigrationOps } from './vm-migration.ts';
import type { VmRuntime } from './vm-runtime.ts';
import { VmStates } from './vm-states.ts';
import { updateVm } from './vm-update.ts';
import type { ValidationHost } from './vm-validation.ts';
import { validationHost, vmView, type HostFacts } from './vm-view.ts';

/**
 * The VM service: definitions in the store, and every operation on a VM. Each guest has one state machine
 * (`states`: its transitions and its lock, over the tables in packages/protocol); the qemu processes and
 * their events are `lifecycle`'s.
 */
export class VmService implements VmContext, UsbHost {
  private leaseAddresses: (macs: readonly string[]) => string[] = () => [];
  /** Disks, CD and snapshots of the VMs (`/api/vms/:id/{disks,cdrom,snapshots}`). */
  readonly storage: VmStorage;
  readonly nics: VmNics;
  /** Host USB devices passed through (`/api/vms/:id/usb`, `/api/host/usb`). */
  readonly usb: VmUsb;
  readonly checks: ValidationHost;
  /** Each guest's state machine and lock: the only writer of a VM's state. */
  readonly states: VmStates;
  /** What migrations, saves and restores do to VMs (state `migrating`, incoming qemu, removal). */
  readonly migration: VmMigrationOps;
  /** The guest agents of the running guests that have a channel. */
  readonly agents: AgentMonitor;
  private readonly lifecycle: VmLifecycle;

  constructor(
    readonly repo: VmsRepo,
    readonly images: ImageService,
    readonly engines: Engines,
    readonly bus: EventBus,
    private readonly host: HostFacts,
    shutdownTimeoutMs: number,
    readonly serialLogs: SerialLogs,
    /** UEFI variable stores, one per guest. */
    readonly nvram: NvramStore,
    /** TPM states (swtpm's), one per TPM guest. */
    readonly tpm: TpmStateStore,
    /** qemu's user: files a running qemu is about to open are granted to it first. */
    readonly qemuAccess: QemuAccess,
  ) {
    this.states = new VmStates(
      repo,
      (rec) => this.publish(rec),
      (id) => this.runtime(id),
    );
    this.storage = new VmStorage(this, images, bus);
    images.setUsers(imageUsers(this));
    this.checks = validationHost(repo, images, host);
    this.nics = new VmNics(this);
    this.usb = new VmUsb(this);
    this.lifecycle = new VmLifecycle(this, shutdownTimeoutMs);
    this.migration = new VmMigrationOps(this, (id, launched, def, run) =>
      this.lifecycle.attach(id, launched, def, run),
    );
    this.agents = new AgentMonitor(
      () =>
        this.lifecycle.entries().map(([id, rt]) => ({
          id,
          run: rt,
          channel: rt.launched.guestAgent,
          socket: rt.guest.consoles.agent,
        })),
      (id, agent) => {
        this.bus.publish({ type: 'vm.agent', id, agent });
        const rec = this.repo.get(id);
        if (rec) this.publish(rec);
      },
    );
    this.agents.start();
  }

  list(): Vm[] {
    return this.repo.list().map((r) => this.toVm(r));
  }

  /** @throws NotFound */
  get(id: string): Vm {
    return this.toVm(this.record(id));
  }

  /** Every guest with a live qemu process, for the metrics sampler. */
  sampledGuests(): SampledGuest[] {
    // The memory qemu was started with (`-m`), from the runtime: no store read in this 1 Hz path.
    return this.lifecycle.entries().map(([id, rt]) => ({
      id,
      pid: rt.pid,
      memoryBytes: rt.launched.memoryMiB * 2 ** 20,
      qmp: rt.guest.qmp,
      nics: countedNics(id, rt.launched),
    }));
  }

  /** Why a guest's network graph leaves NICs out (as it runs, else as defined); undefined when none. */
  netNote(id: string): string | undefined {
    const def = this.lifecycle.runtime(id)?.launched ?? this.repo.get(id)?.definition;
    return def === undefined ? undefined : netNoteOf(def);
  }

  /** The stored definition of a VM. @throws NotFound */
  definition(id: string): VmDefinition {
    return this.record(id).definition;
  }

  /** Stores an edited definition (disk and CD changes) and publishes the VM. @throws NotFound */
  updateDefinition(id: string, edit: (def: VmDefinition) => VmDefinition): void {
    const rec = this.record(id);
    rec.definition = edit(rec.definition);
    this.repo.updateDefinition(id, rec.definition);
    this.publish(rec);
    this.bus.publish({ type: 'images.changed' });
  }

  /** The engine guest `id` runs on. @throws NotFound, Conflict (the engine is gone) */
  engineOf(id: string): Engine {
    return this.engines.of(this.record(id).engine);
  }

  /** The live runtime of a VM (serial console, QMP), if qemu runs. */
  runtime(id: string): VmRuntime | undefined {
    return this.lifecycle.runtime(id);
  }

  /** @throws Invalid (field issues), Conflict (name or new image taken, image in use) */
  create(req: z.output<typeof CreateVmRequestSchema>): Promise<Vm> {
    return createVm(this, req);
  }

  /** The command line a create request would run; nothing is created. @throws Invalid, Conflict */
  preview(req: z.output<typeof CreateVmRequestSchema>): Promise<CommandLine> {
    return previewVm(this, req);
  }

  /** The command line the next start of a VM runs. @throws NotFound, Conflict */
  async commandLine(id: string): Promise<CommandLine> {
    const rec = this.record(id);
    return this.engines.of(rec.engine).commandLine(id, rec.definition);
  }

  /** What the guest lacks for Windows 11. @throws NotFound */
  windows11(id: string): Promise<Windows11Readiness> {
    return windows11Of(this, id);
  }

  /** @throws Invalid, NotFound, Conflict (disks or CD changed while running, wrong state, name taken) */
  update(id: string, req: z.output<typeof UpdateVmRequestSchema>): Promise<Vm> {
    return updateVm(this, id, req);
  }

  /** @throws Invalid, NotFound, Conflict (not stopped, name or target taken) */
  clone(id: string, req: z.output<typeof CloneVmRequestSchema>): Promise<Vm> {
    return cloneVm(this, id, req);
  }

  /** @throws Invalid (not this VM's image), NotFound, Conflict (qemu runs, image used elsewhere or backing others) */
  delete(id: string, req: z.output<typeof DeleteVmRequestSchema> = { deleteImages: [] }): Promise<void> {
    return deleteVm(this, id, req);
  }

  /** @throws Invalid, NotFound, Conflict (not running, no balloon device, qemu refused) */
  balloon(id: string, targetMiB: number): Promise<BalloonInfo> {
    return setBalloon(this, id, targetMiB);
  }

  /** @throws NotFound, Conflict */
  balloonInfo(id: string): Promise<BalloonInfo> {
    return balloonInfo(this, id);
  }

  /** The host's USB devices now (UsbHost). */
  scanUsb(): Promise<HostUsbScan> {
    return this.host.usb();
  }

  /** What the guest's agent last said, or why there is none. @throws NotFound */
  agentInfo(id: string): GuestAgentInfo {
    this.record(id);
    return this.agents.info(id);
  }

  /** Runs a lifecycle action. @throws NotFound, Conflict (wrong state, busy, invalid definition, qemu refused or died) */
  async action(id: string, action: VmAction): Promise<Vm> {
    return this.toVm(await this.lifecycle.action(id, action));
  }

  /**
   * Re-adopts the guests that kept running while the server was down; marks the dead ones. VMs left
   * `migrating` are the migration service's to sort out (`MigrationService.adoptAll`).
   */
  adoptAll(): Promise<void> {
    return this.lifecycle.adoptAll();
  }

  /** Closes the server's connections to guests without stopping them: guests outlive the server. */
  detachAll(): Promise<void> {
    this.agents.stop();
    return this.lifecycle.detachAll();
  }

  /** @throws NotFound */
  record(id: string): VmRecord {
    const rec = this.repo.get(id);
    if (!rec) throw new NotFound(`VM ${id}`);
    return rec;
  }

  /** Where addresses leased by managed networks' DHCP come from (main wires the networks' lease files). */
  setLeaseAddresses(of: (macs: readonly string[]) => string[]): void {
    this.leaseAddresses = of;
  }

  /** Shows again the guests that have one of these MACs (their leased addresses changed). */
  republishWithMacs(macs: readonly string[]): void {
    const wanted = new Set(macs);
    for (const rec of this.repo.list()) {
      if (rec.definition.nics.some((n) => wanted.has(n.mac))) this.publish(rec);
    }
  }

  publish(rec: VmRecord): void {
    this.bus.publish({ type: 'vm.updated', vm: this.toVm(rec) });
  }

  toVm(rec: VmRecord): Vm {
    const rt = this.runtime(rec.id);
    const live = rt && {
      addresses: this.agents.addresses(rec.id, this.leaseAddresses(rec.definition.nics.map((n) => n.mac))),
      shutdownVia: rec.state === 'stopping' ? this.agents.shutdownVia(rt) : undefined,
    };
    return vmView(rec, rt, this.lifecycle.accelReason(rec.id), live);
  }
}
