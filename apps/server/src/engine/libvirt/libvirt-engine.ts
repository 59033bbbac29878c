import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { QmpClient } from '@virtweb/qmp';
import {
  ErrorCode,
  type CommandLine,
  type ResolvedAccel,
  type VmLog,
  type VmProcess,
} from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import type { QemuAccess } from '../../host/qemu-access.ts';
import type { ImageService } from '../../images/image-service.ts';
import type { VmDefinition } from '../../vms/definition.ts';
import type { AdoptedGuest, Engine, GuestConsoles, StartedGuest, StartOptions } from '../engine.ts';
import { LAUNCHED_FILE, readLaunched } from '../launched-definition.ts';
import type { EngineHostView } from '../engine-host.ts';
import { libvirtHostView } from './host-view.ts';
import { domainNameOf, domainXml, type DomainPlan } from './domain-xml.ts';
import { uuidText, type DomainRef, type LibvirtConnection } from './libvirt-connection.ts';
import { LibvirtGuest } from './libvirt-guest.ts';
import type { LibvirtHost } from './libvirt-host.ts';
import { MonitorBridges } from './monitor-bridges.ts';
import { libvirtSnapshotOps } from './snapshot-ops.ts';
import { DomainState, Flags } from './rpc/procedures.ts';
import { LibvirtError, LibvirtErrorCode } from './rpc/wire.ts';
import { libvirtBlockOps, libvirtMigrationOps, libvirtNicOps, libvirtUsbOps } from './unsupported-facets.ts';

const PREVIEW_ID = '000000000000';

/** The sockets of a guest's run dir: qemu serves screen, serial and agent; the server serves the monitors. */
function consolesIn(dir: string, serialPorts: number): GuestConsoles & { serverQmp: string } {
  return {
    screen: path.join(dir, 'vnc.sock'),
    serial: path.join(dir, 'serial.sock'),
    serialPorts: Array.from({ length: serialPorts - 1 }, (_, i) => path.join(dir, `serial${i + 1}.sock`)),
    agent: path.join(dir, 'agent.sock'),
    monitor: path.join(dir, 'monitor.sock'),
    qmp: path.join(dir, 'qmp-user.sock'),
    serverQmp: path.join(dir, 'qmp.sock'),
  };
}

/** libvirt wants the emulator's absolute path: a bare name (the default `qemu-system-x86_64`) is found on PATH. */
async function absoluteBinary(binary: string): Promise<string> {
  if (path.isAbsolute(binary)) return binary;
  for (const dir of (process.env.PATH ?? '').split(':').filter((d) => path.isAbsolute(d))) {
    const candidate = path.join(dir, binary);
    if (
      await fs.access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return binary;
}

/**
 * The group of libvirt's own qemu user (Debian: libvirt-qemu), if the host has one.
 * NOTE: libvirt keeps each domain's private files (its master key) under /var/lib/libvirt/qemu, 0750 for that
 * group: qemu runs as virtweb's qemu user (whose grants reach the data dir) with this group to get there.
 */
async function libvirtGroup(): Promise<number | undefined> {
  const groups = await fs.readFile('/etc/group', 'utf8').catch(() => '');
  const gid = /^libvirt-qemu:[^:]*:(\d+):/m.exec(groups)?.[1];
  return gid === undefined ? undefined : Number(gid);
}

/** libvirt's qemu driver writes each running domain's pid here (local daemons only). */
async function pidOf(domainName: string): Promise<number> {
  const text = await fs.readFile(`/run/libvirt/qemu/${domainName}.pid`, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

/**
 * The libvirt engine: the guests of one libvirt connection (`qemu:///system`), defined from virtweb's
 * definitions as domains named `virtweb-<id>` and driven through libvirt's API over its remote protocol.
 */
export class LibvirtEngine implements Engine {
  readonly id = 'libvirt' as const;
  readonly block = libvirtBlockOps;
  readonly nics = libvirtNicOps;
  readonly snapshots = libvirtSnapshotOps;
  readonly migration = libvirtMigrationOps;
  readonly usb = libvirtUsbOps;
  readonly hostView: EngineHostView;

  constructor(
    readonly host: LibvirtHost,
    private readonly runRoot: string,
    private readonly images: ImageService,
    private readonly access: QemuAccess,
    private readonly emulator: string,
  ) {
    this.hostView = libvirtHostView(host);
  }

  get connection(): string {
    return this.host.uri;
  }

  runDir(id: string): string {
    return path.join(this.runRoot, id);
  }

  async start(id: string, def: VmDefinition, opts: StartOptions = {}): Promise<StartedGuest> {
    if (opts.incoming === true) {
      throw new Conflict(ErrorCode.conflict, 'libvirt guests cannot receive a migration through virtweb yet');
    }
    const conn = await this.connect();
    const dir = this.runDir(id);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await this.access.handOver([dir]);
    const plan = await this.plan(id, def, dir, false);
    await this.access.grant({
      readWrite: plan.disks.map((d) => d.path),
      readOnly: [
        ...(await Promise.all(def.disks.map((d) => this.images.backingPaths(d.image)))).flat(),
        ...(plan.cdrom ? [plan.cdrom.path] : []),
        ...(plan.kernel
          ? [plan.kernel.kernel, ...(plan.kernel.initrd === undefined ? [] : [plan.kernel.initrd])]
          : []),
      ],
      reach: [dir],
    });
    const defined = await conn.defineXml(await this.withUuid(conn, plan.domainName, domainXml(plan)));
    const dom = await conn.create(defined, Flags.startPaused).catch((err: unknown) => {
      throw new Conflict(ErrorCode.qemuFailed, `libvirt could not start the domain: ${messageOf(err)}`);
    });
    await fs
      .writeFile(path.join(dir, LAUNCHED_FILE), JSON.stringify(def), { mode: 0o600, flag: 'w' })
      .catch(() => undefined);
    const guest = await this.attach(dom, dir, def.devices.serialPorts).catch(async (err: unknown) => {
      await conn.destroy(dom).catch(() => undefined);
      throw err;
    });
    return { guest, accel: plan.accel, accelReason: accelReasonOf(plan.accel) };
  }

  async adopt(id: string): Promise<AdoptedGuest> {
    const gone = (reason: string): AdoptedGuest => ({
      kind: 'dead',
      exit: { kind: 'clean', reason, at: new Date().toISOString() },
    });
    let conn: LibvirtConnection;
    try {
      conn = await this.connect();
    } catch (err) {
      return gone(`libvirt could not be reached: ${messageOf(err)}`);
    }
    const dom = await conn.lookupByName(domainNameOf(id)).catch(() => undefined);
    if (!dom) return gone('its libvirt domain is gone');
    const { state } = await conn.state(dom);
    if (state === DomainState.shutoff || state === DomainState.crashed) {
      return gone('its libvirt domain stopped while the server was away');
    }
    const dir = this.runDir(id);
    const launched = await readLaunched(path.join(dir, LAUNCHED_FILE));
    const guest = await this.attach(dom, dir, launched?.devices.serialPorts ?? 1);
    const status = await guest.qmp.execute('query-status');
    const xml = await conn.xmlDesc(dom);
    const accel: ResolvedAccel = xml.includes("type='kvm'") || xml.includes('type="kvm"') ? 'kvm' : 'tcg';
    return { kind: 'alive', guest, accel, status: status.status, launched };
  }

  released(): Promise<void> {
    return Promise.resolve();
  }

  /** Undefines the guest's domain (with its libvirt-kept snapshots metadata and NVRAM) and removes its run dir. */
  async forget(id: string): Promise<void> {
    const conn = await this.connect().catch(() => undefined);
    const dom = await conn?.lookupByName(domainNameOf(id)).catch(() => undefined);
    if (conn && dom) await conn.undefine(dom).catch(() => undefined);
    await fs.rm(this.runDir(id), { recursive: true, force: true });
  }

  async commandLine(id: string, def: VmDefinition): Promise<CommandLine> {
    return this.describe(await this.plan(id, def, this.runDir(id), true));
  }

  async preview(def: VmDefinition): Promise<CommandLine> {
    return this.describe(await this.plan(PREVIEW_ID, def, this.runDir(PREVIEW_ID), true));
  }

  describeProcess(): Promise<VmProcess | undefined> {
    return Promise.resolve(undefined);
  }

  /** libvirt's log of the domain's qemu (a local daemon's `/var/log/libvirt/qemu/<domain>.log`). */
  async readLog(id: string, lines: number): Promise<VmLog> {
    const text = await fs.readFile(`/var/log/libvirt/qemu/${domainNameOf(id)}.log`, 'utf8').catch(() => '');
    return {
      text: text
        .split('\n')
        .slice(-lines - 1)
        .join('\n'),
      hints: [],
    };
  }

  private async connect(): Promise<LibvirtConnection> {
    try {
      return await this.host.connection();
    } catch (err) {
      throw new Conflict(
        ErrorCode.conflict,
        `libvirt at ${this.host.uri} cannot be reached: ${messageOf(err)}`,
      );
    }
  }

  private async attach(dom: DomainRef, dir: string, serialPorts: number): Promise<LibvirtGuest> {
    const consoles = consolesIn(dir, serialPorts);
    const bridges = await MonitorBridges.open(
      this.host,
      dom,
      [consoles.serverQmp, consoles.qmp],
      consoles.monitor,
    );
    try {
      const qmp = await QmpClient.connect(consoles.serverQmp);
      const { serverQmp: _, ...shown } = consoles;
      return new LibvirtGuest(this.host, dom, await pidOf(dom.name), qmp, shown, bridges);
    } catch (err) {
      bridges.close();
      throw err;
    }
  }

  /** The domain XML names the UUID of a domain already defined under its name (a redefinition keeps it). */
  private async withUuid(conn: LibvirtConnection, name: string, xml: string): Promise<string> {
    const existing = await conn.lookupByName(name).catch((err: unknown) => {
      if (err instanceof LibvirtError && err.code === LibvirtErrorCode.noDomain) return undefined;
      throw err;
    });
    if (!existing) return xml;
    return xml.replace('</name>', `</name>\n<uuid>${uuidText(existing.uuid)}</uuid>`);
  }

  private async plan(id: string, def: VmDefinition, dir: string, preview: boolean): Promise<DomainPlan> {
    const open = async (name: string, format: string | undefined) =>
      preview
        ? { path: this.images.path(name), qemuFormat: format ?? 'raw' }
        : await this.images.forQemu(name, format);
    const disks = await Promise.all(
      def.disks.map(async (d) => {
        const img = await open(d.image, d.format);
        return { index: d.index, path: img.path, format: img.qemuFormat };
      }),
    );
    const cdrom =
      def.cdrom === undefined ? undefined : { path: (await open(def.cdrom, 'raw')).path, format: 'raw' };
    const kernel =
      def.boot === 'kernel' && def.kernel
        ? {
            kernel: (await open(def.kernel.kernel, 'raw')).path,
            initrd: def.kernel.initrd === undefined ? undefined : (await open(def.kernel.initrd, 'raw')).path,
            cmdline: def.kernel.cmdline,
          }
        : undefined;
    const accel: ResolvedAccel = def.accel === 'kvm' ? 'kvm' : 'tcg';
    const runAs = await this.access.user.identity();
    const { serverQmp: _, ...sockets } = consolesIn(dir, def.devices.serialPorts);
    return {
      domainName: domainNameOf(id),
      id,
      def,
      accel,
      disks,
      cdrom,
      kernel,
      sockets,
      emulator: await absoluteBinary(this.emulator),
      runAs: runAs && { uid: runAs.uid, gid: (await libvirtGroup()) ?? runAs.gid },
    };
  }

  private describe(plan: DomainPlan): CommandLine {
    const xml = domainXml(plan);
    return {
      argv: [],
      text: xml,
      accel: plan.accel,
      ...(plan.accel === 'tcg' ? { accelReason: accelReasonOf(plan.accel) } : {}),
      notes: [
        `libvirt (${this.host.uri}) starts qemu from this domain XML, as domain ${plan.domainName}`,
        'the monitor and QMP panes reach qemu through libvirt (qemu-monitor-command)',
      ],
    };
  }
}

const accelReasonOf = (accel: ResolvedAccel): string | undefined =>
  accel === 'tcg' ? 'libvirt guests run as domain type qemu (TCG) unless KVM is asked for' : undefined;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
