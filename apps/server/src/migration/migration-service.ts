// Migrations as the API offers them: preconditions, the jobs (live or offline by the VM's state), cancel, the
// incoming side for peers, saved states, and sorting out VMs a restart found `migrating`.
import os from 'node:os';
import type { z } from 'zod';
import {
  ErrorCode,
  ImageFormatSchema,
  LIVE_STATES,
  OFFLINE_STATES,
  type MigrateRequestSchema,
  type MigrationCheck,
  type MigrationJob,
  type Vm,
} from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import type { HostCapabilities } from '../host/capabilities.ts';
import { Conflict, Invalid } from '../domain/errors.ts';
import type { PeerClient } from '../peers/peer-client.ts';
import type { PeerService } from '../peers/peer-service.ts';
import type { VmService } from '../vms/vm-service.ts';
import { adoptMigrating } from './adoption.ts';
import { kindOf, mediaOf, migrationChecks } from './checks.ts';
import type { LocalFacts, PeerFacts } from './facts.ts';
import { oldCopiesToReplace } from './disk-checks.ts';
import { peerFacts } from './peer-facts.ts';
import type { IncomingRequest } from './incoming-api.ts';
import { IncomingMigrations } from './incoming-service.ts';
import { PeerUploads } from './peer-uploads.ts';
import { errorText, type MigrationPlan } from './job-context.ts';
import { MigrationJobs } from './jobs.ts';
import { runLiveJob } from './live-job.ts';
import { runOfflineJob } from './offline-job.ts';
import { SavedStates } from './saved-states.ts';
import { withOptions } from '../vms/storage/disk-placement.ts';

type MigrateRequest = z.output<typeof MigrateRequestSchema>;

export interface MigrationDeps {
  vms: VmService;
  peers: PeerService;
  host: Pick<HostCapabilities, 'qemuVersion'>;
  bus: EventBus;
  /** The address the API server listens on: incoming streams and NBD exports listen there too. */
  listenHost: string;
  statesDir: string;
}

interface Evaluation {
  vm: Vm;
  local: LocalFacts;
  peer: { id: string; name: string; url: string; client: PeerClient };
  facts: PeerFacts;
  checks: MigrationCheck[];
}

export class MigrationService {
  readonly jobs: MigrationJobs;
  readonly incoming: IncomingMigrations;
  readonly states: SavedStates;
  readonly uploads: PeerUploads;

  constructor(private readonly deps: MigrationDeps) {
    this.jobs = new MigrationJobs(deps.bus);
    this.incoming = new IncomingMigrations(deps.vms, deps.listenHost);
    this.states = new SavedStates(deps.vms, this.jobs, deps.statesDir, () => deps.host.qemuVersion());
    this.uploads = new PeerUploads(deps.vms.images);
  }

  async init(): Promise<void> {
    await this.states.init();
    this.incoming.start();
  }

  stop(): void {
    this.incoming.stop();
  }

  /** For a source whose copying move replaces an old copy here (only a marked, unused image goes). */
  removeOldCopy(name: string): Promise<void> {
    return this.deps.vms.images.deleteOldCopy(name);
  }

  /** Sorts out the VMs a server restart found `migrating` (after `VmService.adoptAll`). */
  adoptAll(): Promise<void> {
    return adoptMigrating(this.deps.vms, this.deps.peers, this.incoming);
  }

  /** `POST /api/vms/:id/migrate/check`: every precondition, nothing moves. @throws Invalid, NotFound */
  async check(vmId: string, req: MigrateRequest): Promise<MigrationCheck[]> {
    return (await this.evaluate(vmId, req)).checks;
  }

  /**
   * `POST /api/vms/:id/migrate`: checks again, then starts the job (live for a running or paused guest,
   * offline for a stopped one) and answers at once.
   * @throws Invalid, NotFound, Conflict `busy`, Conflict `precondition_failed` (details: `checks.<name>`)
   */
  async migrate(vmId: string, req: MigrateRequest): Promise<MigrationJob> {
    const { vms } = this.deps;
    this.refuseBusy(vmId);
    const ev = await this.evaluate(vmId, req);
    const failed = ev.checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      throw new Conflict(
        'precondition_failed',
        `cannot migrate ${ev.vm.name}: ${failed.map((c) => c.detail).join('; ')}`,
        failed.map((c) => ({ path: `checks.${c.name}`, message: c.detail })),
      );
    }
    const kind = kindOf(ev.vm.state) ?? 'offline';
    const incoming = await this.incomingRequest(ev, req, kind);
    const uploads = this.uploadsOf(ev, req, kind);
    this.refuseBusy(vmId);
    const handle = this.jobs.start({
      vmId,
      vmName: ev.vm.name,
      kind,
      target: ev.peer.id,
      targetName: ev.peer.name,
      checks: ev.checks,
    });
    const allowed = kind === 'live' ? LIVE_STATES : OFFLINE_STATES;
    // Requires: the state the checks saw (live: running or paused, offline: no qemu). Rollback: see the jobs
    // (live-job.ts, offline-job.ts): the guest ends up in exactly one place, here as it was when undone.
    void vms.states
      .run(
        vmId,
        'migrate',
        `migrating to ${ev.peer.name}`,
        async () => {
          const previousState = vms.migration.begin(vmId, 'migrate', allowed);
          const plan: MigrationPlan = {
            vm: ev.vm,
            peer: ev.peer,
            copyStorage: req.copyStorage,
            keepDefinition: req.keepDefinition,
            previousState,
            options: req.options,
            incoming,
            uploads,
            replaces: ev.facts.reachable
              ? oldCopiesToReplace(ev.local, ev.facts, req.copyStorage).map((i) => i.name)
              : [],
          };
          await (kind === 'live' ? runLiveJob(vms, plan, handle) : runOfflineJob(vms, plan, handle));
        },
        allowed,
      )
      .catch((err: unknown) => handle.finish({ phase: 'failed', error: errorText(err) }));
    return structuredClone(handle.job);
  }

  private refuseBusy(vmId: string): void {
    const running = this.jobs.activeFor(vmId);
    if (running) throw new Conflict('busy', `a ${running.job.kind} job of this VM is in progress`);
    const holder = this.deps.vms.states.holder(vmId);
    if (holder !== undefined) throw new Conflict('busy', `the VM is busy ${holder.what}`);
  }

  private async evaluate(vmId: string, req: MigrateRequest): Promise<Evaluation> {
    const { vms, peers, host } = this.deps;
    const vm = vms.get(vmId);
    const known = peers.list().find((p) => p.id === req.peer);
    if (!known) throw new Invalid(`peer: no peer ${req.peer}`, [{ path: 'peer', message: 'no such peer' }]);
    const client = peers.client(known.id);
    const [facts, qemuVersion, images] = await Promise.all([
      peerFacts(client, known.name),
      host.qemuVersion().catch(() => 'unknown'),
      localImages(vms, vm),
    ]);
    const local: LocalFacts = { vm, qemuVersion, images, storeId: vms.images.storeId };
    const checks = migrationChecks(local, facts, req);
    return { vm, local, peer: { id: known.id, name: known.name, url: known.url, client }, facts, checks };
  }

  /** What the target is asked to do: the VM's configuration, its disks with their slots, sizes and formats. */
  private async incomingRequest(
    ev: Evaluation,
    req: MigrateRequest,
    kind: 'live' | 'offline',
  ): Promise<IncomingRequest> {
    const { vms } = this.deps;
    const def = vms.definition(ev.vm.id);
    const disks = await Promise.all(
      def.disks.map(async (d) => ({
        image: d.image,
        index: d.index,
        format: d.format ?? (await vms.images.formatOf(d.image)),
        virtualSize: (await vms.images.get(d.image)).virtualSize,
        create: kind === 'live' && req.copyStorage,
      })),
    );
    const formats = ImageFormatSchema;
    const odd = disks.find((d) => !formats.safeParse(d.format).success);
    if (odd)
      throw new Conflict(
        ErrorCode.conflict,
        `${odd.image} is a ${odd.format} image: convert it to qcow2 to move it`,
      );
    const { kernel, cdrom } = def;
    return {
      kind,
      config: {
        name: def.name,
        os: def.os,
        memoryMiB: def.memoryMiB,
        vcpus: def.vcpus,
        topology: def.topology,
        ...(cdrom === undefined ? {} : { cdrom }),
        boot: def.boot,
        ...(kernel === undefined ? {} : { kernel }),
        accel: def.accel,
        // The NICs travel whole (MACs and slots): the target keeps them, and refuses a MAC one of its guests has.
        nics: def.nics,
        machine: def.machine,
        firmware: def.firmware,
        noKernelIrqchip: def.noKernelIrqchip,
        balloon: def.balloon,
        clock: def.clock,
        guestAgent: def.guestAgent,
        // The devices travel too (a live stream only loads into the same devices; the TPM's state needs a TPM
        // there); vCPU pinning names this host's CPUs, so it stays here.
        devices: { ...def.devices, cpuPinning: [] },
        // Options only when set: a peer from before disk options takes the disk as it always did.
        disks: def.disks.map((d) => ({ image: d.image, bus: d.bus, ...withOptions(d) })),
      },
      disks: disks.map((d) => ({ ...d, format: formats.parse(d.format) })),
      ...(kind === 'live' ? { accel: ev.vm.activeAccel ?? 'tcg', paused: ev.vm.state === 'paused' } : {}),
      options: req.options,
      source: { hostname: os.hostname(), vmId: ev.vm.id },
    };
  }

  /** Files uploaded before the VM is defined there: media the peer lacks (copy storage), offline disks too. */
  private uploadsOf(ev: Evaluation, req: MigrateRequest, kind: 'live' | 'offline'): string[] {
    if (!req.copyStorage || !ev.facts.reachable) return [];
    const theirs = new Set(ev.facts.images.map((i) => i.name));
    const media = mediaOf(ev.vm).filter((m) => !theirs.has(m));
    return kind === 'offline' ? [...ev.vm.disks.map((d) => d.image), ...media] : media;
  }
}

/** Size and backing file of the VM's disks and media here (missing ones are left out). */
async function localImages(vms: VmService, vm: Vm): Promise<LocalFacts['images']> {
  const names = [...vm.disks.map((d) => d.image), ...mediaOf(vm)];
  const out = new Map<string, { virtualSize: number; backingFile?: string | undefined }>();
  for (const name of names) {
    const image = await vms.images.get(name).catch(() => undefined);
    if (image) out.set(name, { virtualSize: image.virtualSize, backingFile: image.backingFile });
  }
  return out;
}
