// Guests that start with the host, like libvirt's autostart and Proxmox's start order: on the server's first
// start after a host boot (a new boot id), in order, with a pause after each; and, when asked, shut down in
// reverse order when the server stops.
import fs from 'node:fs';
import { isOperationAllowed, PROCESS_STATES, type Vm, type VmAction } from '@virtweb/protocol';
import type { SettingsRepo } from '../store/settings-repo.ts';

/** What autostart needs of the VM service. */
export interface AutostartGuests {
  list(): Vm[];
  get(id: string): Vm;
  action(id: string, action: VmAction): Promise<Vm>;
}

const BOOT_KEY = 'host.bootId';
const POLL_MS = 250;

/** The autostart guests in start order: `order` ascending, then by name. */
export function startOrder(vms: readonly Vm[]): Vm[] {
  return vms
    .filter((v) => v.autostart?.enabled === true)
    .sort((a, b) => (a.autostart?.order ?? 0) - (b.autostart?.order ?? 0) || a.name.localeCompare(b.name));
}

/**
 * Guests with a qemu process grouped for a shutdown: the reverse of the start order, guests without autostart first (they
 * may depend on the others, never the other way round). One group shuts down at a time.
 */
export function shutdownGroups(vms: readonly Vm[]): Vm[][] {
  const live = vms.filter((v) => PROCESS_STATES.includes(v.state));
  const rank = (v: Vm) => (v.autostart?.enabled === true ? v.autostart.order : Infinity);
  const ranks = [...new Set(live.map(rank))].sort((a, b) => b - a);
  return ranks.map((r) => live.filter((v) => rank(v) === r));
}

export class GuestAutostart {
  constructor(
    private readonly vms: AutostartGuests,
    private readonly settings: SettingsRepo,
    private readonly bootIdFile: string,
    private readonly log: (line: string) => void = console.log,
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Starts the autostart guests, in order, when the host booted since the server last started (a server
   * restart alone leaves guests as they are: a guest the user powered off stays off). A guest that cannot
   * start is logged and skipped.
   */
  async atServerStart(): Promise<void> {
    let boot: string;
    try {
      boot = fs.readFileSync(this.bootIdFile, 'utf8').trim();
    } catch (err) {
      this.log(`autostart: cannot read ${this.bootIdFile} (${(err as Error).message}): no guest autostarts`);
      return;
    }
    const last = this.settings.get(BOOT_KEY);
    this.settings.set(BOOT_KEY, boot);
    if (last === boot) return;
    for (const vm of startOrder(this.vms.list())) {
      const state = this.stateOf(vm.id);
      if (state === undefined || !isOperationAllowed('start', state)) continue;
      try {
        await this.vms.action(vm.id, 'start');
        this.log(`autostart: started ${vm.name} (order ${vm.autostart?.order ?? 0})`);
      } catch (err) {
        this.log(`autostart: ${vm.name} did not start: ${(err as Error).message}`);
        continue;
      }
      const delaySec = vm.autostart?.delaySec ?? 0;
      if (delaySec > 0) await this.sleep(delaySec * 1000);
    }
  }

  /**
   * Shuts every live guest down, group by group in reverse start order (ACPI with the usual escalation; a
   * paused guest is resumed first; one whose shutdown is refused is powered off), each group until it
   * stopped or `timeoutMs` passed.
   */
  async atServerStop(timeoutMs: number): Promise<void> {
    for (const group of shutdownGroups(this.vms.list())) {
      await Promise.all(group.map((vm) => this.stop(vm, timeoutMs)));
    }
  }

  private async stop(vm: Vm, timeoutMs: number): Promise<void> {
    const state = this.stateOf(vm.id);
    if (state === undefined || !PROCESS_STATES.includes(state)) return;
    // NOTE: a paused guest does not see an ACPI shutdown until it runs: it is resumed first, so that it
    // can shut down cleanly rather than by the escalation's power off.
    const steps: VmAction[] =
      state === 'paused' ? ['resume', 'shutdown'] : isOperationAllowed('shutdown', state) ? ['shutdown'] : [];
    try {
      for (const step of steps) await this.vms.action(vm.id, step);
    } catch (err) {
      this.log(`shutdown: ${vm.name}: ${(err as Error).message}; powering it off`);
      await this.vms.action(vm.id, 'poweroff').catch(() => undefined);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = this.stateOf(vm.id);
      if (now === undefined || !PROCESS_STATES.includes(now)) return;
      if (Date.now() > deadline) {
        this.log(`shutdown: ${vm.name} is still ${now} after ${timeoutMs} ms: left running`);
        return;
      }
      await this.sleep(POLL_MS);
    }
  }

  private stateOf(id: string): Vm['state'] | undefined {
    try {
      return this.vms.get(id).state;
    } catch {
      return undefined; // deleted meanwhile
    }
  }
}
