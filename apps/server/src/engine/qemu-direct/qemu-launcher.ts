import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  adoptQemu,
  buildArgv,
  inspectDeadGuest,
  nicIds,
  runtimePaths,
  startQemu,
  type FirmwareSpec,
  type QemuProcess,
  type RuntimePaths,
  type VmSpec,
} from '@virtweb/qemu';
import { ErrorCode, type CommandLine, type Nic, type ResolvedAccel, type VmExit } from '@virtweb/protocol';
import { Conflict, DomainError, Invalid } from '../../domain/errors.ts';
import { bridgeTapName, type BridgeTaps } from '../../host/bridge-taps.ts';
import type { HostCapabilities } from '../../host/capabilities.ts';
import { NO_MANAGED_NETWORKS, type ManagedNetworks } from '../../host/managed-networks.ts';
import type { QemuAccess } from '../../host/qemu-access.ts';
import type { ImageService } from '../../images/image-service.ts';
import { chooseAccel, type AccelChoice } from './accel-choice.ts';
import { shellText, withPlaceholders } from './command-line.ts';
import { assertDirectIo } from './direct-io.ts';
import { confinementNote, guestFiles } from './guest-files.ts';
import { checkHugePages } from './huge-pages-start.ts';
import { usbAtStart } from './usb-start.ts';
import { nicSpec } from './nic-spec.ts';
import { GuestTpms } from './guest-tpm.ts';
import type { SwtpmProcess } from './swtpm.ts';
import { pinVcpus } from './vcpu-pinning.ts';
import type { VmDefinition } from '../../vms/definition.ts';
import type { NvramStore } from '../../vms/nvram.ts';
import type { TpmStateStore } from '../../vms/tpm-state.ts';
import type { StartOptions } from '../engine.ts';
import { LAUNCHED_FILE, readLaunched } from '../launched-definition.ts';

export interface Launched {
  proc: QemuProcess;
  /** The guest's TPM emulator, when it has a TPM. */
  tpm: SwtpmProcess | undefined;
  accel: ResolvedAccel;
  /** Why `auto` chose this accelerator (shown to the user when it is TCG). */
  accelReason: string | undefined;
}

export type Adopted =
  | {
      kind: 'alive';
      proc: QemuProcess;
      tpm: SwtpmProcess | undefined;
      accel: ResolvedAccel;
      /** qemu's run state (`query-status`): running, paused, prelaunch (-S, or a reset while paused), … */
      status: string;
      /** The definition it was started with, when the server that started it recorded one. */
      launched: VmDefinition | undefined;
    }
  | { kind: 'dead'; exit: Omit<VmExit, 'at'> & { at: string } };

/** What a start of a definition runs: the argv (without the binary) and what is worth knowing about it. */
interface LaunchPlan {
  spec: VmSpec;
  argv: string[];
  paths: RuntimePaths;
  accel: ResolvedAccel;
  accelReason: string | undefined;
  notes: string[];
  /** UEFI: the template the VM's variable store is made from at its first start. */
  varsTemplate: string | undefined;
  /** Host device nodes of its passed-through USB devices. */
  usbNodes: string[];
}

// NOTE: the run dir is qemu's user's: the server's own files there are written without following a link that
// qemu may have put in their place.
const NO_FOLLOW_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** The id a preview plans with; its paths are shown as placeholders. */
const PREVIEW_ID = '000000000000';

/** Turns a stored definition into a running (paused, `-S`) qemu process, or finds one after a restart. */
export class QemuLauncher {
  /** The guests' swtpm processes. */
  private readonly tpms: GuestTpms;

  constructor(
    private readonly qemuBinary: string,
    private readonly runDir: string,
    private readonly images: ImageService,
    private readonly host: HostCapabilities,
    readonly nvram: NvramStore,
    /** Each TPM guest's swtpm state. */
    readonly tpmStates: TpmStateStore,
    /** qemu's unprivileged user and the files it is given. */
    readonly access: QemuAccess,
    private readonly taps: BridgeTaps,
    /** Where a `network` NIC's bridge comes from. */
    private readonly networks: ManagedNetworks = NO_MANAGED_NETWORKS,
  ) {
    this.tpms = new GuestTpms(tpmStates, access, (id) => this.paths(id).dir);
  }

  paths(id: string): RuntimePaths {
    return runtimePaths(path.join(this.runDir, id));
  }

  /**
   * Starts qemu paused; the caller attaches consoles and then sends `cont`. A UEFI guest gets its variable
   * store first (made from the OVMF template unless it has one).
   * @throws Conflict (KVM asked for but missing, an image or qemu's user unusable), Invalid (OVMF gone),
   *   QemuStartError
   */
  async launch(id: string, def: VmDefinition, opts: StartOptions = {}): Promise<Launched> {
    const runAs = await this.access.user.identity();
    const plan = await this.plan(id, def, false, opts.accel);
    if (plan.varsTemplate !== undefined) await this.nvram.ensure(id, plan.varsTemplate);
    await this.grantFiles(def, plan);
    const incoming = opts.incoming === true;
    const argv = incoming ? [...plan.argv, '-incoming', 'defer'] : plan.argv;
    let proc: QemuProcess;
    let tpm: SwtpmProcess | undefined;
    try {
      for (const nic of def.nics) await this.makeTap(id, nic);
      if (plan.spec.tpm !== undefined) tpm = await this.tpms.start(id, runAs, incoming);
      proc = await startQemu({ binary: this.qemuBinary, argv, paths: plan.paths, ...(runAs && { runAs }) });
    } catch (err) {
      await tpm?.stop();
      await this.released(id);
      throw err;
    }
    try {
      await pinVcpus(proc.qmp, def.devices.cpuPinning);
    } catch (err) {
      // The guest has not run yet (-S): a start that cannot pin leaves nothing behind.
      await proc.stop({ from: 'quit' }).catch(() => undefined);
      await tpm?.stop();
      await this.released(id);
      throw err;
    }
    tpm?.watch(proc.exited);
    // NOTE: no NIC device has a link property: a cable pulled before the stop is pulled again before `cont`.
    for (const nic of def.nics.filter((n) => !n.linkUp)) {
      await proc.qmp.execute('set_link', { name: nicIds(nic.slot).device, up: false }).catch(() => undefined);
    }
    await fs
      .writeFile(path.join(plan.paths.dir, LAUNCHED_FILE), JSON.stringify(def), {
        mode: 0o600,
        flag: NO_FOLLOW_WRITE,
      })
      .catch(() => undefined);
    return { proc, tpm, accel: plan.accel, accelReason: plan.accelReason };
  }

  /**
   * What a guest's qemu held on the host besides its files, given back after it exited: its bridge taps and
   * its swtpm if still there (it ends with qemu by itself; this makes sure).
   */
  async released(id: string): Promise<void> {
    await this.tpms.reap(id);
    await this.taps.remove(id);
  }

  /**
   * The tap a `bridge` or `network` NIC of `id` connects through, made now on its bridge (a managed network's
   * asked of `ManagedNetworks`); nothing for other modes.
   * @returns the tap's name, if one was made. @throws Conflict (no such network, the tap cannot be made)
   */
  async makeTap(id: string, nic: Nic): Promise<string | undefined> {
    if (nic.mode !== 'bridge' && nic.mode !== 'network') return undefined;
    const bridge = nic.mode === 'bridge' ? nic.bridge : await this.networks.bridgeOf(nic.network);
    const runAs = await this.access.user.identity();
    return this.taps.create(id, nic.slot, bridge, runAs?.uid ?? process.getuid?.() ?? 0);
  }

  /** Removes the tap of NIC `slot` of `id`, if the server made one. Never rejects. */
  removeTap(id: string, slot: number): Promise<void> {
    return this.taps.removeOne(id, slot);
  }

  /** The command line the next start of VM `id` runs. @throws Invalid when OVMF is gone */
  async commandLine(id: string, def: VmDefinition): Promise<CommandLine> {
    return this.describe(await this.plan(id, def, true));
  }

  /** The command line of a VM not created yet: its run dir and variable store shown as placeholders. */
  async preview(def: VmDefinition): Promise<CommandLine> {
    const plan = await this.plan(PREVIEW_ID, def, true);
    const argv = withPlaceholders(plan.argv, [
      [path.join(this.runDir, PREVIEW_ID), '<run>/<new-vm-id>'],
      [this.nvram.path(PREVIEW_ID), '<nvram>/<new-vm-id>_VARS.fd'],
      ...def.nics.map((n): [string, string] => [
        bridgeTapName(PREVIEW_ID, n.slot),
        bridgeTapName('<new-vm-id>', n.slot),
      ]),
    ]);
    const stateDir = this.tpmStates.path(PREVIEW_ID);
    const notes = plan.notes.map((n) => n.replace(stateDir, '<tpm>/<new-vm-id>'));
    return this.describe({ ...plan, argv, notes });
  }

  async adopt(id: string): Promise<Adopted> {
    const paths = this.paths(id);
    const proc = await adoptQemu(paths).catch(() => null);
    if (!proc) {
      const dead = await inspectDeadGuest(paths);
      await this.released(id);
      return {
        kind: 'dead',
        exit: {
          kind: dead.kind,
          reason: dead.reason,
          at: new Date().toISOString(),
          ...(dead.kind === 'crashed' && dead.logTail ? { logTail: dead.logTail } : {}),
        },
      };
    }
    const [status, kvm] = await Promise.all([
      proc.qmp.execute('query-status'),
      proc.qmp.execute('query-kvm'),
    ]);
    // NOTE: never resumed here: `prelaunch` is either the -S of a start the server never finished or a reset
    // of a paused guest; only the server's record tells which (VmLifecycle.adoptAll).
    const launched = await readLaunched(path.join(paths.dir, LAUNCHED_FILE));
    const tpm = launched?.devices.tpm === 'tpm2' ? await this.tpms.adopt(id) : undefined;
    tpm?.watch(proc.exited);
    return { kind: 'alive', proc, tpm, accel: kvm.enabled ? 'kvm' : 'tcg', status: status.status, launched };
  }

  private describe(plan: LaunchPlan): CommandLine {
    const argv = [this.qemuBinary, ...plan.argv];
    return {
      argv,
      text: shellText(argv),
      accel: plan.accel,
      ...(plan.accelReason === undefined ? {} : { accelReason: plan.accelReason }),
      notes: plan.notes,
    };
  }

  private async plan(
    id: string,
    def: VmDefinition,
    preview = false,
    accelOverride?: ResolvedAccel,
  ): Promise<LaunchPlan> {
    const notes: string[] = [];
    const { accel, reason } =
      accelOverride === undefined
        ? await this.resolveAccel(def, preview ? notes : undefined)
        : { accel: accelOverride, reason: undefined };
    const firmware = await this.firmware(id, def);
    if (def.noKernelIrqchip && accel !== 'kvm') {
      notes.push(
        '"no kernel irqchip" is ignored: the guest runs under TCG, and only KVM has an in-kernel irqchip',
      );
    }
    if (def.noKernelIrqchip && accel === 'kvm' && def.machine === 'q35') {
      notes.push(
        'qemu 7.2 can abort with kernel-irqchip=off on q35 (an MSR assertion): if the VM does not start, try the pc machine',
      );
    }
    if (firmware.spec.kind === 'uefi' && !(await this.nvram.exists(id))) {
      notes.push(
        `the UEFI variable store is made from ${firmware.template ?? 'the OVMF template'} at the first start`,
      );
    }
    for (const nic of def.nics) {
      if (nic.mode !== 'bridge' && nic.mode !== 'network') continue;
      const on = nic.mode === 'bridge' ? nic.bridge : `the bridge of network ${nic.network}`;
      notes.push(
        `the server makes the tap ${bridgeTapName(id, nic.slot)} on ${on} before qemu starts and removes it when qemu exits ` +
          '(qemu-bridge-helper cannot run under the sandbox)',
      );
    }
    const cpuModel = def.devices.cpuModel === 'auto' ? undefined : def.devices.cpuModel;
    if (cpuModel === 'host' && accel !== 'kvm') {
      throw new Conflict(
        ErrorCode.validation,
        `CPU model host (passthrough) needs KVM, and this guest would run under TCG${reason === undefined ? '' : ` (${reason})`}: choose auto, max or a named model`,
      );
    }
    notes.push(confinementNote(await this.access.user.status()));
    if (def.devices.tpm === 'tpm2') notes.push(await this.tpms.note(id));
    if (def.devices.cpuPinning.some((cpus) => cpus.length > 0)) {
      notes.push('vCPU threads are pinned to their host CPUs (taskset) before the guest runs');
    }
    await checkHugePages(def, preview, notes);
    const usb = await usbAtStart(def.usb, () => this.host.usb());
    notes.push(...usb.notes);
    notes.push('-S: the server starts qemu paused and resumes it (QMP cont) once the consoles are attached');
    const open = preview ? this.unchecked : this.checked;
    const spec: VmSpec = {
      name: def.name,
      memoryMiB: def.memoryMiB,
      vcpus: def.vcpus,
      topology: def.topology,
      accel,
      machine: def.machine,
      disks: await Promise.all(
        def.disks.map(async (d) => {
          const image = await open(d.image, d.format);
          if (!preview) await assertDirectIo(image.path, d.cache, `disk ${d.index} (${d.image})`);
          return {
            path: image.path,
            format: image.qemuFormat,
            index: d.index,
            bus: d.bus,
            ...(d.cache === undefined ? {} : { cache: d.cache }),
            ...(d.discard === undefined ? {} : { discard: d.discard }),
            ...(d.readOnly === undefined ? {} : { readOnly: d.readOnly }),
          };
        }),
      ),
      ...(def.cdrom === undefined ? {} : { cdrom: (await open(def.cdrom, 'raw')).path }),
      boot: def.boot,
      ...(def.kernel === undefined
        ? {}
        : {
            kernel: {
              path: (await open(def.kernel.kernel, 'raw')).path,
              ...(def.kernel.initrd === undefined
                ? {}
                : { initrd: (await open(def.kernel.initrd, 'raw')).path }),
              ...(def.kernel.cmdline === undefined ? {} : { cmdline: def.kernel.cmdline }),
            },
          }),
      nics: def.nics.map((n) => nicSpec(id, n)),
      firmware: firmware.spec,
      // NOTE: kernel-irqchip=off only exists with KVM; qemu refuses it under TCG, so it is left out there.
      noKernelIrqchip: def.noKernelIrqchip && accel === 'kvm',
      balloon: def.balloon,
      clock: def.clock,
      devices: {
        video: def.devices.video,
        sound: def.devices.sound,
        rng: def.devices.rng,
        watchdog: def.devices.watchdog,
      },
      ...(cpuModel === undefined ? {} : { cpuModel }),
      guestAgent: def.guestAgent,
      usb: usb.spec,
      serialPorts: def.devices.serialPorts,
      hugepages: def.devices.hugepages,
      ...(def.devices.tpm === 'tpm2' ? { tpm: { socket: this.tpms.paths(id).socket } } : {}),
    };
    const paths = this.paths(id);
    let argv: string[];
    try {
      argv = buildArgv(spec, paths, { startPaused: true });
    } catch (err) {
      // The checks before a start make this unreachable; say what qemu's argv builder refused if not.
      if (!(err instanceof RangeError)) throw err;
      throw new Conflict(ErrorCode.validation, err.message);
    }
    return {
      spec,
      argv,
      paths,
      accel,
      accelReason: reason,
      notes,
      varsTemplate: firmware.template,
      usbNodes: usb.nodes,
    };
  }

  /** Gives qemu's user the guest's files before qemu opens them (see guestFiles). */
  private async grantFiles(def: VmDefinition, plan: LaunchPlan): Promise<void> {
    const backing = await Promise.all(def.disks.map((d) => this.images.backingPaths(d.image)));
    await this.access.grant(guestFiles(plan.spec, backing.flat(), plan.paths.dir));
    await this.access.grantDevices(plan.usbNodes);
  }

  /**
   * An image of a start, inspected now with the format qemu is told (a CD, kernel and initrd are read raw:
   * the file itself must be in the images dir): qemu never opens a path that was not checked at this moment.
   * @throws Conflict
   */
  private readonly checked = (name: string, format: string | undefined) => this.images.forQemu(name, format);

  /** An image of a command line only shown: the recorded format, else the one qemu-img detects. */
  private readonly unchecked = async (name: string, format: string | undefined) => ({
    path: this.images.path(name),
    qemuFormat: format ?? (await this.images.formatOf(name)),
  });

  private async firmware(
    id: string,
    def: VmDefinition,
  ): Promise<{ spec: FirmwareSpec; template: string | undefined }> {
    if (def.firmware === 'bios') return { spec: { kind: 'bios' }, template: undefined };
    const fw = await this.host.firmware();
    const secure = def.firmware === 'uefi-secure';
    const found = secure ? fw.secure : fw.plain;
    if (!found.found) {
      throw new Invalid(`firmware: ${found.reason}`, [{ path: 'firmware', message: found.reason }]);
    }
    return {
      spec: { kind: 'uefi', code: found.code, vars: this.nvram.path(id), secure },
      template: found.varsTemplate,
    };
  }

  /** The accelerator of a start; a preview notes (instead of refusing) that KVM is asked for but missing. */
  private async resolveAccel(def: VmDefinition, previewNotes?: string[]): Promise<AccelChoice> {
    const needsProbe = def.accel === 'kvm' || (def.accel === 'auto' && this.host.defaultAccel !== 'tcg');
    const kvm = needsProbe ? await this.host.kvm() : undefined;
    try {
      return chooseAccel(def.accel, this.host.defaultAccel, kvm);
    } catch (err) {
      if (previewNotes === undefined || !(err instanceof DomainError)) throw err;
      previewNotes.push(`starting will fail: ${err.message}`);
      return { accel: 'kvm', reason: undefined };
    }
  }
}
