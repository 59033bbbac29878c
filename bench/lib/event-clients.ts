// Many `/api/events` clients, and how long a published change takes to reach each of them.
import type WebSocket from 'ws';
import type { TestServer } from '../../apps/server/test/harness.ts';

/** Notes that start with this are timed; other changes pass unrecorded. */
export const MARKER = 'mark-';

export class EventClients {
  private readonly sockets: WebSocket[] = [];
  /** Per client: the notes of vm.updated events seen -> when (performance.now()). */
  private readonly seen: Map<string, number>[] = [];
  private rounds = 0;

  static async open(server: TestServer, count: number): Promise<EventClients> {
    const clients = new EventClients();
    await Promise.all(Array.from({ length: count }, () => clients.add(server)));
    return clients;
  }

  get count(): number {
    return this.sockets.length;
  }

  private async add(server: TestServer): Promise<void> {
    const ws = server.ws('/api/events');
    const seen = new Map<string, number>();
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      const event = JSON.parse(data.toString()) as { type?: string; vm?: { notes?: string } };
      const notes = event.vm?.notes;
      // Only the markers: a flood of other changes must not fill the bench's own memory.
      if (event.type === 'vm.updated' && notes?.startsWith(MARKER) === true && !seen.has(notes)) {
        seen.set(notes, at);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    this.sockets.push(ws);
    this.seen.push(seen);
  }

  /**
   * Sets VM `id`'s notes to a new marker (PUT labels: a vm.updated event) and returns, per client, the ms
   * from sending the request until that client had the event.
   */
  async latencies(server: TestServer, id: string, timeoutMs = 10_000): Promise<number[]> {
    const marker = `${MARKER}${++this.rounds}`;
    const t0 = performance.now();
    const res = await server.api('PUT', `/api/vms/${id}/labels`, { tags: [], notes: marker });
    if (res.status !== 200) throw new Error(`labels: ${res.status} ${JSON.stringify(res.body)}`);
    while (!this.seen.every((s) => s.has(marker))) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`not every client saw ${marker}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.seen.map((s) => (s.get(marker) ?? NaN) - t0);
  }

  close(): void {
    for (const ws of this.sockets) ws.close();
  }
}
