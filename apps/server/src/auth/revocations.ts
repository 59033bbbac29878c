import type { Principal } from './principal.ts';

type Listener = (kind: Principal['kind'], id: string) => void;

/**
 * Announces a credential that stopped being valid (a token revoked, a session ended), so whatever is still
 * open on it (websockets) can be closed at once instead of living on.
 */
export class Revocations {
  private readonly listeners = new Set<Listener>();

  /** @returns the unsubscribe function */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(kind: Principal['kind'], id: string): void {
    for (const listener of this.listeners) listener(kind, id);
  }
}
