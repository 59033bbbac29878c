import fs from 'node:fs/promises';
import type { CommandLine, VmLog, VmProcess } from '@virtweb/protocol';
import type { QemuAccess } from '../../host/qemu-access.ts';
import type { VmDefinition } from '../../vms/definition.ts';
import type { GuestBlockOps } from '../guest-block.ts';
import type { GuestNicOps } from '../guest-nics.ts';
import type { GuestUsbOps } from '../guest-usb.ts';
import type { AdoptedGuest, Engine, StartedGuest, StartOptions } from '../engine.ts';
import { qemuBlockOps } from './block-ops.ts';
import { qemuMigrationOps } from './migration-ops.ts';
import { qemuNicOps } from './nic-ops.ts';
import { describeProcess, readQemuLog } from './process-info.ts';
import type { QemuLauncher } from './qemu-launcher.ts';
import { QemuGuest } from './qemu-guest.ts';
import { qemuSnapshotOps } from './snapshot-ops.ts';
import { qemuUsbOps } from './usb-ops.ts';

/**
 * The qemu-direct engine: virtweb starts each guest's qemu itself (confined, as qemu's user), supervises the
 * process, and reaches it over unix sockets in the guest's run dir. Guests outlive the server and are found
 * again by their run dir (`adopt`).
 */
export class QemuDirectEngine implements Engine {
  readonly id = 'qemu-direct' as const;
  readonly connection = 'local';
  readonly block: GuestBlockOps;
  readonly nics: GuestNicOps;
  readonly usb: GuestUsbOps;
  readonly snapshots = qemuSnapshotOps;
  readonly migration = qemuMigrationOps;

  constructor(
    private readonly launcher: QemuLauncher,
    access: QemuAccess,
  ) {
    this.block = qemuBlockOps(access);
    this.nics = qemuNicOps(launcher);
    this.usb = qemuUsbOps(access);
  }

  async start(id: string, def: VmDefinition, opts?: StartOptions): Promise<StartedGuest> {
    const { proc, tpm, accel, accelReason } = await this.launcher.launch(id, def, opts);
    return { guest: new QemuGuest(proc, tpm), accel, accelReason };
  }

  async adopt(id: string): Promise<AdoptedGuest> {
    const found = await this.launcher.adopt(id);
    if (found.kind === 'dead') return found;
    const { proc, tpm, ...rest } = found;
    return { ...rest, guest: new QemuGuest(proc, tpm) };
  }

  released(id: string): Promise<void> {
    return this.launcher.released(id);
  }

  async forget(id: string): Promise<void> {
    await fs.rm(this.runDir(id), { recursive: true, force: true });
  }

  runDir(id: string): string {
    return this.launcher.paths(id).dir;
  }

  commandLine(id: string, def: VmDefinition): Promise<CommandLine> {
    return this.launcher.commandLine(id, def);
  }

  preview(def: VmDefinition): Promise<CommandLine> {
    return this.launcher.preview(def);
  }

  describeProcess(id: string, pid: number): Promise<VmProcess | undefined> {
    return describeProcess(pid, this.launcher.paths(id));
  }

  readLog(id: string, lines: number): Promise<VmLog> {
    return readQemuLog(this.launcher.paths(id).log, lines);
  }
}
