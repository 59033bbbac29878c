// A guest's root shell on its serial console, through the server's websocket, surviving server restarts and
// guest reboots: each use reconnects when needed, and a probe (Ctrl+C, then an echo) tells when a shell answers.
import { WsCollector } from '../harness.ts';
import type { SoakServer } from './soak-server.ts';

const PROBE_EVERY_MS = 2000;

export class GuestConsole {
  private con: WsCollector | undefined;
  private conEpoch = -1;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly server: SoakServer,
    private readonly vmId: string,
    private readonly tag: string,
  ) {}

  /** Runs `fn` with the console to itself (commands of one guest never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Waits until the shell answers (the guest has booted), sending Ctrl+C and an echo every 2 s: a line typed
   * before the shell ran is cleared that way. False when no answer came in time.
   */
  async probe(timeoutMs: number): Promise<boolean> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const out = await this.run(':', PROBE_EVERY_MS, true);
      if (out !== undefined) return true;
    }
    return false;
  }

  /** One command line; its output, or undefined when its end did not show within `timeoutMs`. */
  async run(cmd: string, timeoutMs: number, interrupt = false): Promise<string | undefined> {
    const con = await this.connect();
    if (!con) {
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 500)));
      return undefined;
    }
    const n = `${this.tag}x${++this.seq}`;
    const from = con.text.length;
    // The markers are printed by echo, never typed as such ('<<'b1'>>' prints <<b1>>): the terminal's echo of
    // the command line cannot match them.
    if (interrupt) con.ws.send('\x03');
    con.ws.send(`echo '<<'b${n}'>>'; ${cmd}; echo '<<'e${n}'>>'\n`);
    const [begin, end] = [`<<b${n}>>`, `<<e${n}>>`];
    const t0 = Date.now();
    while (con.text.indexOf(end, from) < 0) {
      if (Date.now() - t0 > timeoutMs || con.closed) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
    const text = con.text;
    const b = text.indexOf(begin, from);
    // Without its beginning the line was garbled on the way in: what came back says nothing.
    if (b < 0) return undefined;
    return text.slice(b + begin.length, text.indexOf(end, from)).trim();
  }

  close(): void {
    this.con?.ws.close();
    this.con = undefined;
  }

  /** The console of the current server, opened when missing or closed (a restart, the guest stopped). */
  private async connect(): Promise<WsCollector | undefined> {
    if (this.con && !this.con.closed && this.conEpoch === this.server.epoch) return this.con;
    this.close();
    await this.server.whenReady();
    const epoch = this.server.epoch;
    const ws = this.server.ws(`/api/vms/${this.vmId}/serial`);
    ws.on('error', () => undefined);
    const con = new WsCollector(ws);
    const opened = await Promise.race([
      con.opened().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
    ]);
    // The server closes a console of a guest that does not run (4409) right after the upgrade.
    await new Promise((r) => setTimeout(r, 100));
    if (!opened || con.closed) {
      ws.terminate();
      return undefined;
    }
    this.con = con;
    this.conEpoch = epoch;
    return con;
  }
}
