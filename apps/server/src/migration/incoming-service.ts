// The target side of a migration: define the VM, create the disks to be copied, start qemu waiting for the
// stream, start the guest when the source says so, and take everything away again when it does not arrive.
import crypto from 'node:crypto';
import { ErrorCode, type Vm } from '@virtweb/protocol';
import type { z } from 'zod';
import { Conflict, DomainError, Invalid, NotFound } from '../domain/errors.ts';
import type { VmDefinition } from '../vms/definition.ts';
import { definitionFromCreate } from '../vms/definition-from-request.ts';
import { macsOf } from '../vms/nic-defaults.ts';
import { atPath } from '../vms/vm-create.ts';
import type { VmService } from '../vms/vm-service.ts';
import { assertValid } from '../vms/vm-validation.ts';
import type { IncomingAnswer, IncomingRequestSchema, IncomingStatus } from './incoming-api.ts';
import { oldCopyWords } from './disk-checks.ts';
import { removeMarker, writeMarker, type Marker } from './markers.ts';
import { credsDir, makeStreamCerts, withCredsDir } from './stream-certs.ts';

type IncomingRequest = z.output<typeof IncomingRequestSchema>;

/** An incoming migration nobody asks about for this long is taken away (the source is gone). */
export const INCOMING_IDLE_MS = 30_000;
const KEEP_ENDED_MS = 60 * 60 * 1000;
const WATCHDOG_MS = 5000;
/** How long the stream may take to arrive after the source asked to finish. */
const FINISH_TIMEOUT_MS = 120_000;

interface Entry {
  status: IncomingStatus;
  /** Arrives paused (it was paused on the source). */
  paused: boolean;
  createdImages: string[];
  lastContact: number;
  endedAt: number | undefined;
}

/** Incoming migrations of this server (the target), in memory; a restart cleans up from the VM's marker. */
export class IncomingMigrations {
  readonly #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly vms: VmService,
    /** Where qemu listens for the stream and serves NBD: the address the API server listens on. */
    private readonly listenHost: string,
    private readonly idleMs = INCOMING_IDLE_MS,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.watchdog(), WATCHDOG_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** This host's image store id, for the handshake (a source compares it with its own). */
  get storeId(): string {
    return this.vms.images.storeId;
  }

  /**
   * `POST /api/migrations/incoming`: checks the configuration with this host's rules, creates the disks to be
   * copied, defines the VM (`migrating`), writes its UEFI variable store, and, for a live migration, starts
   * qemu listening for the stream. A failure or abort takes the store away with the VM.
   * NOTE: the store is written before qemu starts although pflash contents travel in the migration stream
   * as RAM: the target's qemu opens the vars file as its flash backing store (it must exist, of the build's
   * size), and later guest writes of variables go to that file, so it must hold the same contents. (qemu's
   * pflash also writes the arrived contents back to the file once the guest runs, but not while it arrives
   * paused, and an offline move has no stream at all.)
   * @throws Invalid (configuration), Conflict (name or image taken, size differs, qemu failed)
   */
  async create(req: IncomingRequest): Promise<IncomingAnswer> {
    const def = definitionOf(req, macsOf(this.vms.list().map((v) => ({ id: v.id, definition: v }))));
    await this.validate(def, req);
    const created: string[] = [];
    let vmId: string | undefined;
    const incomingId = crypto.randomBytes(6).toString('hex');
    try {
      for (const d of req.disks.filter((x) => x.create)) {
        await this.vms.images.create({ name: d.image, format: d.format, size: d.virtualSize });
        created.push(d.image);
      }
      const rec = this.vms.migration.defineIncoming(def);
      vmId = rec.id;
      // The marker first: a restart from here on takes the half VM and its images away.
      const marker: Marker = { role: 'target', kind: req.kind, incomingId, createdImages: created };
      await writeMarker(this.vms.engineOf(rec.id).runDir(rec.id), marker);
      const entry: Entry = {
        status: { incomingId, vmId: rec.id, kind: req.kind, state: 'waiting' },
        paused: req.paused,
        createdImages: created,
        lastContact: Date.now(),
        endedAt: undefined,
      };
      this.#entries.set(incomingId, entry);
      if (req.nvram !== undefined) await this.vms.nvram.write(rec.id, Buffer.from(req.nvram, 'base64'));
      if (req.tpmState !== undefined) await this.vms.tpm.write(rec.id, Buffer.from(req.tpmState, 'base64'));
      if (req.serialLog !== undefined) {
        const note = `moved here from ${req.source.hostname} at ${new Date().toISOString()}`;
        await this.vms.serialLogs.seed(rec.id, Buffer.from(req.serialLog, 'base64'), note);
      }
      if (req.kind === 'offline') return { incomingId, vmId: rec.id };
      const rt = await this.vms.migration.launchIncoming(rec.id, req.accel ?? 'tcg');
      void rt.guest.exited.then((exit) => this.onQemuExit(entry, `the target qemu exited: ${exit.reason}`));
      const { engine, guest } = rt;
      const listen = { listenHost: this.listenHost, capabilities: req.options };
      // Encrypted unless the source asked for a plain stream: qemu reads the server's files once, here.
      const certs = req.options.plainStream ? undefined : await makeStreamCerts();
      const endpoint = certs
        ? await withCredsDir(this.vms.qemuAccess, credsDir(engine.runDir(rec.id)), certs.server, (dir) =>
            engine.migration.prepareIncoming(guest, { ...listen, tls: { dir } }),
          )
        : await engine.migration.prepareIncoming(guest, listen);
      const copied = req.disks.filter((d) => d.create);
      const nbd =
        copied.length === 0
          ? undefined
          : await engine.migration.exportDisks(guest, {
              listenHost: this.listenHost,
              slots: copied.map((d) => d.index),
              encrypted: certs !== undefined,
            });
      const tls = certs ? { tls: certs.client } : {};
      return { incomingId, vmId: rec.id, uri: endpoint.uri, ...(nbd ? { nbd } : {}), ...tls };
    } catch (err) {
      const entry = this.#entries.get(incomingId);
      if (entry) this.end(entry, 'failed', errorText(err));
      if (vmId !== undefined) await this.vms.migration.discard(vmId);
      await this.deleteImages(created);
      if (err instanceof DomainError) throw err;
      throw new Conflict(ErrorCode.qemuFailed, `cannot receive the VM: ${errorText(err)}`);
    }
  }

  /** `GET /api/migrations/incoming/:id`; each call tells the target the source is still there. @throws NotFound */
  status(id: string): IncomingStatus {
    const entry = this.entry(id);
    entry.lastContact = Date.now();
    return { ...entry.status };
  }

  /**
   * `POST .../finish`: waits for the rest of the stream, starts the guest (live) or leaves it stopped
   * (offline). When the guest does not start, the VM is taken away again.
   * @throws NotFound, Conflict (not waiting, or the guest did not start: the answer says why)
   */
  async finish(id: string): Promise<Vm> {
    const entry = this.entry(id);
    const { vmId } = entry.status;
    if (entry.status.state === 'running') return this.vms.get(vmId);
    if (entry.status.state !== 'waiting') {
      const why = entry.status.error === undefined ? '' : `: ${entry.status.error}`;
      throw new Conflict(ErrorCode.wrongState, `the incoming migration is ${entry.status.state}${why}`);
    }
    entry.status.state = 'finishing';
    entry.lastContact = Date.now();
    try {
      if (entry.status.kind === 'live') {
        const rt = this.vms.runtime(vmId);
        if (!rt) throw new Error('the target qemu has exited');
        if (entry.paused) {
          await rt.engine.migration.arrivePaused(rt.guest, { timeoutMs: FINISH_TIMEOUT_MS });
          this.vms.migration.started(vmId, true);
        } else {
          await rt.engine.migration.finishIncoming(rt.guest, { timeoutMs: FINISH_TIMEOUT_MS });
          this.vms.migration.started(vmId);
        }
      } else {
        this.vms.migration.settleAs(vmId, 'stopped');
      }
      await removeMarker(this.vms.engineOf(vmId).runDir(vmId));
      this.end(entry, 'running');
      return this.vms.get(vmId);
    } catch (err) {
      this.end(entry, 'failed', errorText(err));
      await this.cleanUp(entry);
      throw new Conflict(ErrorCode.qemuFailed, `the guest did not start here: ${errorText(err)}`);
    }
  }

  /** `DELETE`: kill the incoming qemu, undefine the VM, remove the images made for it. @throws NotFound, Conflict */
  async abort(id: string): Promise<void> {
    const entry = this.entry(id);
    const state = entry.status.state;
    if (state === 'running') throw new Conflict(ErrorCode.wrongState, 'the VM already runs here');
    if (state === 'finishing') throw new Conflict(ErrorCode.wrongState, 'the guest is being started here');
    if (state !== 'waiting') return;
    this.end(entry, 'aborted', 'the source aborted the migration');
    await this.cleanUp(entry);
  }

  /**
   * After a server restart, for a VM left `migrating` as a target: a guest that was already started stays;
   * anything half-received is killed and taken away with the images made for it.
   */
  async adopt(vmId: string, marker: Marker & { role: 'target' }): Promise<void> {
    const adopted = await this.vms.migration.adopt(vmId).catch(() => undefined);
    if (adopted?.kind === 'alive' && adopted.status === 'running') {
      this.vms.migration.settleAs(vmId, 'running');
      await removeMarker(this.vms.engineOf(vmId).runDir(vmId));
      return;
    }
    await this.vms.migration.discard(vmId);
    await this.deleteImages(marker.createdImages);
    console.log(`virtweb: removed VM ${vmId}, an incoming migration interrupted by the server's restart`);
  }

  private entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new NotFound(`incoming migration ${id}`);
    return entry;
  }

  /**
   * Checks the request with this host's rules, and inspects each existing disk itself: its format is the one
   * detected here (recorded into `def`), never the source's word, which must agree with it; its chain must be
   * inside the images dir.
   * @throws Invalid, Conflict
   */
  private async validate(def: VmDefinition, req: IncomingRequest): Promise<void> {
    if (def.firmware === 'bios' && req.nvram !== undefined) {
      throw new Invalid('a BIOS guest has no UEFI variable store', [
        { path: 'nvram', message: 'only for UEFI guests' },
      ]);
    }
    if (def.devices.tpm === 'none' && req.tpmState !== undefined) {
      throw new Invalid('a guest without a TPM has no TPM state', [
        { path: 'tpmState', message: 'only for guests with a TPM' },
      ]);
    }
    const creating = new Map(
      req.disks.filter((d) => d.create).map((d) => [d.index, { sizeBytes: d.virtualSize }]),
    );
    await assertValid(this.vms.checks, def, { creating });
    for (const [i, d] of req.disks.entries()) {
      if (d.create) continue;
      const at = `disks.${i}.image`;
      const here = await this.vms.images.forQemu(d.image).catch((err: unknown) => {
        throw atPath(err, at);
      });
      // An older source takes the same name and size for shared storage: an old copy left here is not the disk.
      const leftBehind = await this.vms.images.oldCopies.get(d.image);
      if (leftBehind) {
        const message = `${d.image} here is ${oldCopyWords(leftBehind)}, not the current disk: move the VM with copy storage`;
        throw new Conflict(ErrorCode.conflict, message, [{ path: at, message }]);
      }
      if (here.virtualSize !== d.virtualSize) {
        const message = `${d.image} has a different size here (${here.virtualSize} bytes, ${d.virtualSize} there)`;
        throw new Conflict(ErrorCode.conflict, message, [{ path: at, message }]);
      }
      if (here.qemuFormat !== d.format) {
        const message = `${d.image} reads as ${here.qemuFormat} here, the source opens it as ${d.format}`;
        throw new Conflict(ErrorCode.conflict, message, [{ path: `disks.${i}.format`, message }]);
      }
      const disk = def.disks[i];
      if (disk) disk.format = here.qemuFormat;
    }
  }

  private onQemuExit(entry: Entry, why: string): void {
    if (entry.status.state !== 'waiting') return;
    this.end(entry, 'failed', why);
    void this.cleanUp(entry);
  }

  private end(entry: Entry, state: IncomingStatus['state'], error?: string): void {
    entry.status.state = state;
    if (error !== undefined) entry.status.error = error;
    entry.endedAt = Date.now();
  }

  private async cleanUp(entry: Entry): Promise<void> {
    await this.vms.migration.discard(entry.status.vmId).catch(() => undefined);
    await this.deleteImages(entry.createdImages);
  }

  private async deleteImages(names: string[]): Promise<void> {
    for (const name of names) {
      if (await this.vms.images.exists(name)) await this.vms.images.delete(name).catch(() => undefined);
    }
  }

  private async watchdog(): Promise<void> {
    const now = Date.now();
    for (const [id, entry] of this.#entries) {
      if (entry.status.state === 'waiting' && now - entry.lastContact > this.idleMs) {
        this.end(entry, 'failed', `the source stopped asking for ${Math.round(this.idleMs / 1000)} s`);
        await this.cleanUp(entry);
      }
      if (entry.endedAt !== undefined && now - entry.endedAt > KEEP_ENDED_MS) this.#entries.delete(id);
    }
  }
}

/**
 * The definition the source asked for, with the source's disk slots (the stream needs them). Only a disk made
 * here gets the source's format (this server writes it); an existing image's format is the one this server
 * detects (`validate` records it).
 */
function definitionOf(req: IncomingRequest, macsInUse: ReadonlySet<string>): VmDefinition {
  if (
    req.disks.length !== req.config.disks.length ||
    req.disks.some((d, i) => d.image !== req.config.disks[i]?.image)
  ) {
    throw new Invalid('disks must list the disks of config.disks, in the same order', [
      { path: 'disks', message: 'not the disks of the configuration' },
    ]);
  }
  const def = definitionFromCreate(req.config, macsInUse);
  def.disks = def.disks.map((d, i) => {
    const src = req.disks[i];
    if (src === undefined) return d;
    return src.create ? { ...d, index: src.index, format: src.format } : { ...d, index: src.index };
  });
  if (new Set(def.disks.map((d) => d.index)).size !== def.disks.length) {
    throw new Invalid('two disks have the same slot', [{ path: 'disks', message: 'slots must differ' }]);
  }
  return def;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
