import { EventEmitter } from 'node:events';
import type { QmpClient } from '@virtweb/qmp';
import type { GuestConsoles, GuestExit, GuestStopOptions, RunningGuest } from '../engine.ts';
import type { DomainRef, LifecycleEvent } from './libvirt-connection.ts';
import type { LibvirtHost } from './libvirt-host.ts';
import type { MonitorBridges } from './monitor-bridges.ts';
import { DomainEvent, DomainState, StoppedDetail } from './rpc/procedures.ts';

const DEFAULT_POWERDOWN_MS = 60_000;

/** How a `stopped` lifecycle event's detail reads as a guest's exit. */
function exitOf(detail: number, destroyedByUs: boolean): GuestExit {
  switch (detail) {
    case StoppedDetail.shutdown:
      return { kind: 'clean', reason: 'guest powered off' };
    case StoppedDetail.destroyed:
      return destroyedByUs
        ? { kind: 'killed', reason: 'powered off through libvirt (virDomainDestroy)' }
        : { kind: 'killed', reason: 'destroyed by another libvirt client' };
    case StoppedDetail.migrated:
      return { kind: 'clean', reason: 'migrated away by libvirt' };
    case StoppedDetail.saved:
      return { kind: 'clean', reason: 'saved by libvirt' };
    case StoppedDetail.failed:
      return { kind: 'crashed', reason: 'libvirt reports that qemu failed' };
    default:
      return { kind: 'crashed', reason: 'qemu crashed (libvirt stopped the domain)' };
  }
}

/**
 * A running domain of a libvirt connection, as the services see a guest: QMP and the monitor through
 * `qemu-monitor-command` bridges, screen, serial and agent on unix sockets qemu serves in the run dir, and its
 * end from libvirt's lifecycle events.
 */
export class LibvirtGuest implements RunningGuest {
  #exit: GuestExit | undefined;
  readonly exited: Promise<GuestExit>;
  private readonly emitter = new EventEmitter();
  private destroying = false;
  private readonly stopWatching: () => void;

  constructor(
    private readonly host: LibvirtHost,
    readonly dom: DomainRef,
    readonly pid: number,
    readonly qmp: QmpClient,
    readonly consoles: GuestConsoles,
    private readonly bridges: MonitorBridges,
  ) {
    let settle!: (exit: GuestExit) => void;
    this.exited = new Promise((resolve) => (settle = resolve));
    const uuid = dom.uuid.toString('hex');
    const end = (exit: GuestExit): void => {
      if (this.#exit) return;
      this.#exit = exit;
      this.stopWatching();
      this.bridges.close();
      void this.qmp.close().catch(() => undefined);
      settle(exit);
      this.emitter.emit('exit', exit);
    };
    const stopLifecycle = host.onLifecycle((e: LifecycleEvent) => {
      if (e.event === DomainEvent.stopped && e.dom.uuid.toString('hex') === uuid) {
        end(exitOf(e.detail, this.destroying));
      }
    });
    // NOTE: libvirtd restarting leaves its domains running; one that stopped meanwhile sent its event to nobody.
    const stopReconnect = host.onReconnect(() => {
      void host
        .connection()
        .then((c) => c.state(dom))
        .then(({ state }) => {
          if (state === DomainState.shutoff || state === DomainState.crashed) {
            end({ kind: 'clean', reason: 'stopped while the connection to libvirt was down' });
          }
        })
        .catch(() => undefined);
    });
    this.stopWatching = () => {
      stopLifecycle();
      stopReconnect();
    };
  }

  get exit(): GuestExit | undefined {
    return this.#exit;
  }

  once(event: 'exit', listener: (exit: GuestExit) => void): void {
    this.emitter.once(event, listener);
  }

  off(event: 'exit', listener: (exit: GuestExit) => void): void {
    this.emitter.off(event, listener);
  }

  /** ACPI powerdown through libvirt, then (or at once, `from` past powerdown) virDomainDestroy. */
  async stop(opts: GuestStopOptions = {}): Promise<GuestExit> {
    if (this.#exit) return this.#exit;
    if ((opts.from ?? 'powerdown') === 'powerdown') {
      await this.host
        .connection()
        .then((c) => c.shutdown(this.dom))
        .catch(() => undefined);
      const limit = opts.powerdownTimeoutMs ?? DEFAULT_POWERDOWN_MS;
      const timer = new Promise<undefined>((r) => setTimeout(() => r(undefined), limit).unref());
      const done = await Promise.race([this.exited, timer]);
      if (done) return done;
    }
    this.destroy();
    return this.exited;
  }

  /** Any signal ends the domain the one way libvirt offers: virDomainDestroy (SIGTERM, then SIGKILL). */
  kill(_signal: NodeJS.Signals): boolean {
    if (this.#exit) return false;
    this.destroy();
    return true;
  }

  async detach(): Promise<void> {
    this.stopWatching();
    this.bridges.close();
    await this.qmp.close().catch(() => undefined);
  }

  private destroy(): void {
    this.destroying = true;
    void this.host
      .connection()
      .then((c) => c.destroy(this.dom))
      .catch(() => undefined);
  }
}
