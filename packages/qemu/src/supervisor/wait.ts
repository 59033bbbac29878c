// Small waiting helpers that never leave a timer behind.

/**
 * Resolves true when `p` settles first, false after `timeoutMs` (the timer is cleared either way).
 * Without a timeout it simply waits. `p` must not reject.
 */
export function settlesWithin(p: Promise<unknown>, timeoutMs?: number): Promise<boolean> {
  if (timeoutMs === undefined) return p.then(() => true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    void p.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
