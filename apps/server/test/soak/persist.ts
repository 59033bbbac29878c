// Mismatches seen once may be a transition caught half-way (a qemu exiting, a state not yet published): only
// those that persist count as violations.

export class Persist {
  private readonly seen = new Map<string, { first: number; passes: number }>();
  private readonly reported = new Set<string>();

  /**
   * Records this pass's mismatches (key -> description); returns those seen in every pass for at least
   * `holdMs` and `minPasses` passes, once each.
   */
  pass(found: Map<string, string>, holdMs: number, minPasses = 3): [string, string][] {
    const now = Date.now();
    for (const key of [...this.seen.keys()]) if (!found.has(key)) this.seen.delete(key);
    const due: [string, string][] = [];
    for (const [key, text] of found) {
      const s = this.seen.get(key) ?? { first: now, passes: 0 };
      s.passes++;
      this.seen.set(key, s);
      if (now - s.first >= holdMs && s.passes >= minPasses && !this.reported.has(key)) {
        this.reported.add(key);
        due.push([key, `${text} (for ${((now - s.first) / 1000).toFixed(1)} s)`]);
      }
    }
    return due;
  }

  /** Forgets what was seen (e.g. across a server restart, which has checks of its own). */
  reset(): void {
    this.seen.clear();
  }
}
