// A fake qemu-ga on a unix socket for the agent modules' unit tests (the real one: test/guest-agent.test.ts).
import { createServer, type Server, type Socket } from 'node:net';

export type Reply = (cmd: { execute: string; arguments?: Record<string, unknown> }, socket: Socket) => void;

/** A fake qemu-ga: answers guest-sync-delimited like qemu-ga, everything else by `reply`. */
export class FakeAgent {
  readonly server: Server;
  readonly received: string[] = [];
  connections = 0;
  open = 0;
  /** Written to each new client before anything else (answers meant for an earlier client). */
  stale = '';
  sync = true;

  constructor(
    path: string,
    public reply: Reply,
  ) {
    this.server = createServer((socket) => {
      this.connections++;
      this.open++;
      socket.on('close', () => this.open--);
      if (this.stale !== '') socket.write(this.stale);
      let buf = '';
      socket.on('data', (chunk: Buffer) => {
        buf += chunk.toString('latin1').replaceAll('\xff', '');
        let at: number;
        while ((at = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, at);
          buf = buf.slice(at + 1);
          const cmd = JSON.parse(line) as { execute: string; arguments?: Record<string, unknown> };
          this.received.push(cmd.execute);
          if (cmd.execute === 'guest-sync-delimited') {
            if (this.sync) socket.write(`\xff${JSON.stringify({ return: cmd.arguments?.id })}\n`, 'latin1');
          } else this.reply(cmd, socket);
        }
      });
    });
    this.server.listen(path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const answer =
  (value: unknown): Reply =>
  (_cmd, socket) =>
    socket.write(JSON.stringify({ return: value }) + '\n');
