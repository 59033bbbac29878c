/**
 * The events socket came back after a drop (the server restarted, the network returned): consoles that gave
 * up while the server was away connect again.
 */
const listeners = new Set<() => void>();

export function noteServerBack(): void {
  for (const listener of listeners) listener();
}

/** Calls `listener` each time the server answers again; returns the unsubscribe function. */
export function onServerBack(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
