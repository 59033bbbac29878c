// One running guest's agent, asked now and then: a ping every few seconds, its facts when it (re)appears and
// every half minute (at every ping while the guest has no address yet).
import { isDeepStrictEqual } from 'node:util';
import type { GuestAgentInfo } from '@virtweb/protocol';
import { AgentConnection } from './agent-connection.ts';
import { GuestAgent } from './guest-agent.ts';
import { guestAddresses } from './guest-addresses.ts';

export interface AgentWatchTimings {
  /** Between pings (default 5000). */
  pingMs?: number;
  /** Between fact refreshes while it answers (default 30000). */
  factsMs?: number;
  /** Time limit of each command (default 3000). */
  commandMs?: number;
}

/** Polls one guest's agent and keeps what it last said; `onChange` when that changes. */
export class AgentWatch {
  readonly agent: GuestAgent;
  private current: GuestAgentInfo = { channel: true, connected: false, reason: 'not asked yet' };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private factsAt = 0;
  private answeredOnce = false;
  private readonly pingMs: number;
  private readonly factsMs: number;

  constructor(
    socketPath: string,
    private readonly onChange: (info: GuestAgentInfo) => void,
    timings: AgentWatchTimings = {},
  ) {
    this.pingMs = timings.pingMs ?? 5000;
    this.factsMs = timings.factsMs ?? 30_000;
    this.agent = new GuestAgent(new AgentConnection(socketPath, timings.commandMs ?? 3000));
  }

  get info(): GuestAgentInfo {
    return this.current;
  }

  /** Whether the agent answered its last ping. */
  get connected(): boolean {
    return this.current.connected;
  }

  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.agent.close();
  }

  /** Asks now (e.g. after a snapshot revert or a shutdown refused), then on the usual schedule. */
  refresh(): void {
    clearTimeout(this.timer);
    this.factsAt = 0;
    void this.tick();
  }

  /** Has the facts asked again at the next ping when they are older than `maxAgeMs` (someone is looking). */
  wantFreshFacts(maxAgeMs: number): void {
    if (Date.now() - this.factsAt > maxAgeMs) this.factsAt = 0;
  }

  /** Thaws the guest's file systems if its agent says they are frozen (after a revert to a RAM snapshot). */
  async thawIfFrozen(): Promise<void> {
    if ((await this.agent.freezeStatus().catch(() => undefined)) === 'frozen') {
      await this.agent.thaw().catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const checkedAt = new Date().toISOString();
    let next: GuestAgentInfo;
    try {
      await this.agent.ping();
      // A run found frozen (restored from a state saved frozen, or a freeze the server died in) is thawed.
      if (!this.answeredOnce) {
        this.answeredOnce = true;
        await this.thawIfFrozen();
      }
      next = { ...this.current, channel: true, connected: true, checkedAt };
      delete next.reason;
      // Until the guest has an address (its DHCP may still run) the facts are asked at every ping.
      const stale =
        Date.now() - this.factsAt >= this.factsMs || guestAddresses({ agent: next.interfaces }).length === 0;
      if (!this.current.connected || stale) {
        next = { ...next, ...(await this.facts()) };
        this.factsAt = Date.now();
      }
    } catch (err) {
      // The facts stay: a guest that reboots keeps its OS and, mostly, its addresses.
      const why = err instanceof Error ? err.message : String(err);
      next = { ...this.current, channel: true, connected: false, reason: `not answering: ${why}`, checkedAt };
    }
    if (this.isStopped()) return;
    const changed = !isDeepStrictEqual({ ...this.current, checkedAt: '' }, { ...next, checkedAt: '' });
    this.current = next;
    if (changed) this.onChange(next);
    this.timer = setTimeout(() => void this.tick(), this.pingMs);
    this.timer.unref();
  }

  // A method, not the field: the field's narrowing does not see stop() called while a tick awaited.
  private isStopped(): boolean {
    return this.stopped;
  }

  /** What the agent tells; a command it lacks or refuses leaves its part out. */
  private async facts(): Promise<Partial<GuestAgentInfo>> {
    const a = this.agent;
    const [version, os, hostname, interfaces, filesystems] = await Promise.all([
      a.version().catch(() => undefined),
      a.os().catch(() => undefined),
      a.hostname().catch(() => undefined),
      a.interfaces().catch(() => undefined),
      a.filesystems().catch(() => undefined),
    ]);
    return {
      ...(version === undefined ? {} : { version }),
      ...(os === undefined ? {} : { os }),
      ...(hostname === undefined ? {} : { hostname }),
      ...(interfaces === undefined ? {} : { interfaces }),
      ...(filesystems === undefined ? {} : { filesystems }),
    };
  }
}
