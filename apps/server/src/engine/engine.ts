import type { CommandLine, EngineId, ResolvedAccel, VmExit, VmLog, VmProcess } from '@virtweb/protocol';
import type { VmDefinition } from '../vms/definition.ts';
import type { EngineHostView } from './engine-host.ts';
import type { GuestBlockOps } from './guest-block.ts';
import type { GuestMigrationOps } from './guest-migration.ts';
import type { GuestNicOps } from './guest-nics.ts';
import type { GuestSnapshotOps } from './guest-snapshots.ts';
import type { GuestUsbOps } from './guest-usb.ts';
import type { RunningGuest } from './running-guest.ts';

export type { GuestConsoles, GuestExit, GuestStopOptions, RunningGuest } from './running-guest.ts';

/**
 * The engine seam: what the services need from a hypervisor, whichever drives the guests. Today's engine is
 * `qemu-direct` (virtweb starts qemu itself, `engine/qemu-direct/`); a second one (libvirt) implements the same
 * interfaces and nothing above them changes: routes, services and the web app speak of guests, not of qemu
 * processes. Both are qemu underneath, so QMP and HMP stay the control channel every engine offers (libvirt has
 * `qemu-monitor-command` and `qemu-monitor-event`).
 */
export interface Engine {
  readonly id: EngineId;
  /** Which host this engine instance drives: `local` for qemu-direct, a libvirt URI for libvirt. */
  readonly connection: string;
  /** Disks and the CD of a running guest: hot-plug, unplug, media, resize. */
  readonly block: GuestBlockOps;
  /** NICs of a running guest: hot-plug, unplug, the link. */
  readonly nics: GuestNicOps;
  /** Host USB devices passed through to a running guest. */
  readonly usb: GuestUsbOps;
  /** Internal snapshots of a running guest (its disks and device state together). */
  readonly snapshots: GuestSnapshotOps;
  /** Live migration, save to a file and restore, between guests of this engine. */
  readonly migration: GuestMigrationOps;
  /** The host of a connection (libvirt): its health and all its guests; none for qemu-direct. */
  readonly hostView?: EngineHostView;

  /**
   * Starts the guest paused: the caller attaches its consoles, then resumes it (`guest.qmp` `cont`); with
   * `incoming` it waits for a migration stream instead.
   * @throws Conflict, Invalid (the host cannot run this definition now), or the engine's own start error
   */
  start(id: string, def: VmDefinition, opts?: StartOptions): Promise<StartedGuest>;
  /** Finds the guest `id` after a server restart: still running (reconnected) or how it ended meanwhile. */
  adopt(id: string): Promise<AdoptedGuest>;
  /** Gives back what a guest held on the host besides its files (taps, scopes) once it has exited. */
  released(id: string): Promise<void>;
  /** Removes what the engine kept for a guest that is gone for good (its run dir). */
  forget(id: string): Promise<void>;
  /** A scratch dir of the guest that the server and qemu can both write (markers, streams, screen dumps). */
  runDir(id: string): string;
  /** The command line the next start of `id` runs. @throws Invalid */
  commandLine(id: string, def: VmDefinition): Promise<CommandLine>;
  /** The command line of a guest not created yet (its paths as placeholders). @throws Invalid */
  preview(def: VmDefinition): Promise<CommandLine>;
  /** The guest's process as the host sees it (pid, threads, sockets), if it runs. */
  describeProcess(id: string, pid: number): Promise<VmProcess | undefined>;
  /** The last lines of the engine's log of the guest (qemu's stderr). */
  readLog(id: string, lines: number): Promise<VmLog>;
}

/** How a start differs from a plain boot: a migration's or a restore's receiving guest. */
export interface StartOptions {
  /** Wait for a migration stream instead of booting (qemu `-incoming defer`); the engine's migration resumes it. */
  incoming?: boolean;
  /** The accelerator to use instead of resolving the definition's (a migration must keep the source's). */
  accel?: ResolvedAccel;
}

export interface StartedGuest {
  guest: RunningGuest;
  accel: ResolvedAccel;
  /** Why `auto` chose this accelerator (shown to the user when it is TCG). */
  accelReason: string | undefined;
}

export type AdoptedGuest =
  | {
      kind: 'alive';
      guest: RunningGuest;
      accel: ResolvedAccel;
      /** qemu's run state (`query-status`): running, paused, prelaunch (-S, or a reset while paused), … */
      status: string;
      /** The definition it was started with, when the server that started it recorded one. */
      launched: VmDefinition | undefined;
    }
  | { kind: 'dead'; exit: VmExit };
