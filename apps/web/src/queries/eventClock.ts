// When the last event about each VM arrived (performance.now()), to order events against HTTP answers.
const lastEvent = new Map<string, number>();

export function markVmEvent(id: string): void {
  lastEvent.set(id, performance.now());
}

export function vmEventSince(id: string, since: number): boolean {
  return (lastEvent.get(id) ?? -Infinity) >= since;
}
