// The guest agents of all running guests with an agent channel: one watch per run, what they say, and the
// agent itself for the operations that use it (shutdown, file system freeze).
import type { GuestAgentInfo, ShutdownVia } from '@virtweb/protocol';
import { AgentWatch, type AgentWatchTimings } from './agent-watch.ts';
import type { GuestAgent } from './guest-agent.ts';
import { guestAddresses } from './guest-addresses.ts';

/** A running guest as the monitor sees it. `run` is the same object for the whole life of one qemu. */
export interface AgentGuest {
  id: string;
  run: object;
  /** Started with an agent channel. */
  channel: boolean;
  socket: string;
}

const NO_CHANNEL: GuestAgentInfo = {
  channel: false,
  connected: false,
  reason: 'no agent channel (turn on "Guest agent" in Settings; it applies at the next start)',
};
const NOT_RUNNING: GuestAgentInfo = { channel: false, connected: false, reason: 'the guest is not running' };

/** How often the running guests are looked at for new and gone runs. */
const SYNC_MS = 1000;
/** How old the facts may be when someone asks for them before they are asked again at the next ping. */
const LOOKED_AT_FACTS_MS = 5000;

export class AgentMonitor {
  private readonly watches = new Map<string, { run: object; watch: AgentWatch }>();
  private readonly shutdowns = new WeakMap<object, ShutdownVia>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly guests: () => AgentGuest[],
    /** Called when what a guest's agent says changes. */
    private readonly onChange: (id: string, info: GuestAgentInfo) => void,
    private readonly timings: AgentWatchTimings = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sync(), SYNC_MS);
    this.timer.unref();
    this.sync();
  }

  /** Stops every watch and closes every agent connection. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const { watch } of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  /** Starts watches for new runs with a channel, stops those of runs that ended. */
  sync(): void {
    const live = new Map(this.guests().map((g) => [g.id, g]));
    for (const [id, { run, watch }] of this.watches) {
      if (live.get(id)?.run === run) continue;
      watch.stop();
      this.watches.delete(id);
    }
    for (const g of live.values()) {
      if (!g.channel || this.watches.has(g.id)) continue;
      const watch = new AgentWatch(g.socket, (info) => this.onChange(g.id, info), this.timings);
      this.watches.set(g.id, { run: g.run, watch });
      watch.start();
    }
  }

  /** What guest `id`'s agent last said, or why there is none. */
  info(id: string): GuestAgentInfo {
    this.sync();
    const g = this.guests().find((x) => x.id === id);
    if (!g) return NOT_RUNNING;
    if (!g.channel) return NO_CHANNEL;
    const watch = this.watches.get(id)?.watch;
    // Someone looks at the facts (the Overview): they follow within a ping, not the half-minute refresh.
    watch?.wantFreshFacts(LOOKED_AT_FACTS_MS);
    return watch?.info ?? { channel: true, connected: false, reason: 'not asked yet' };
  }

  /** The agent of guest `id` when it answered its last ping, else undefined. */
  answering(id: string): GuestAgent | undefined {
    const w = this.watches.get(id)?.watch;
    return w?.connected === true ? w.agent : undefined;
  }

  /** Has guest `id`'s agent asked again soon (its facts too). */
  refresh(id: string): void {
    this.watches.get(id)?.watch.refresh();
  }

  /**
   * After guest `id` went back to a state taken with its file systems frozen (a snapshot with RAM): thaws
   * them when its agent says they are frozen, then asks for its facts again.
   */
  async thawRestored(id: string): Promise<void> {
    const w = this.watches.get(id)?.watch;
    if (!w) return;
    await w.thawIfFrozen();
    w.refresh();
  }

  /** The guest's addresses as its agent last told them, with those a DHCP server of virtweb's leased it. */
  addresses(id: string, leases: readonly string[] = []): string[] {
    return guestAddresses({ agent: this.watches.get(id)?.watch.info.interfaces, leases });
  }

  /** Records how a shutdown of this run was asked for. */
  noteShutdown(run: object, via: ShutdownVia): void {
    this.shutdowns.set(run, via);
  }

  shutdownVia(run: object): ShutdownVia | undefined {
    return this.shutdowns.get(run);
  }
}
