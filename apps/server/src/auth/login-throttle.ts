/** How hard guessing the admin password is made. */
export interface LoginLimits {
  /** Failed logins a client may make before it has to wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Logins tried per second across all clients (many addresses guessing together). */
  globalPerSecond: number;
  /** Clients remembered; the least recently seen are forgotten beyond this. */
  maxClients: number;
  /** A client is forgotten this long after its last attempt. */
  forgetAfterMs: number;
}

export const LOGIN_LIMITS: LoginLimits = {
  freeFailures: 5,
  firstDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  globalPerSecond: 5,
  maxClients: 10_000,
  forgetAfterMs: 30 * 60_000,
};

interface ClientState {
  /** Attempts since the last success (counted when they start, so parallel attempts count too). */
  attempts: number;
  blockedUntil: number;
  lastAt: number;
}

/** A login is refused for now: try again in `retryAfterMs`. */
export interface Refusal {
  retryAfterMs: number;
  reason: 'client' | 'global';
}

/**
 * Exponential back-off per client (its address) plus a global bound on attempts per second. An attempt is
 * counted when it is admitted, before the password is checked (so parallel attempts count too), and the wait
 * starts again when it fails; a successful one resets its client.
 */
export class LoginThrottle {
  /** In order of last attempt, oldest first (re-inserted on each attempt). */
  private readonly clients = new Map<string, ClientState>();
  /** When the admitted attempts of the last second started, oldest first. */
  private recent: number[] = [];

  constructor(
    private readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits an attempt by `client` (and counts it), or says how long it must wait. */
  admit(client: string): Refusal | undefined {
    const now = this.now();
    this.forgetOld(now);
    const state = this.clients.get(client);
    if (state && state.blockedUntil > now)
      return { retryAfterMs: state.blockedUntil - now, reason: 'client' };
    this.recent = this.recent.filter((t) => t > now - 1000);
    const oldest = this.recent[0];
    if (oldest !== undefined && this.recent.length >= this.limits.globalPerSecond) {
      return { retryAfterMs: oldest + 1000 - now, reason: 'global' };
    }
    this.recent.push(now);
    const attempts = (state?.attempts ?? 0) + 1;
    this.clients.delete(client);
    this.clients.set(client, { attempts, blockedUntil: now + this.delayAfter(attempts), lastAt: now });
    return undefined;
  }

  /** The password was wrong: the client's wait starts now (a check may take a while on a busy host). */
  failed(client: string): void {
    const state = this.clients.get(client);
    if (state)
      state.blockedUntil = Math.max(state.blockedUntil, this.now() + this.delayAfter(state.attempts));
  }

  /** The password was right: the client starts afresh (and its attempt does not count globally). */
  succeeded(client: string): void {
    this.clients.delete(client);
    this.recent.pop();
  }

  /** How many clients are remembered (for tests). */
  get size(): number {
    return this.clients.size;
  }

  private delayAfter(attempts: number): number {
    const beyond = attempts - this.limits.freeFailures;
    return beyond < 0 ? 0 : Math.min(this.limits.firstDelayMs * 2 ** beyond, this.limits.maxDelayMs);
  }

  private forgetOld(now: number): void {
    for (const [client, state] of this.clients) {
      const stale = state.lastAt < now - this.limits.forgetAfterMs && state.blockedUntil <= now;
      // Room is kept for the attempt being admitted.
      if (!stale && this.clients.size < this.limits.maxClients) break;
      this.clients.delete(client);
    }
  }
}
