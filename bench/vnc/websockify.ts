import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Debian's websockify with `--unix-target`, plain ws:// on 127.0.0.1 only. */
export class Websockify {
  proc: ChildProcess | undefined;
  port = 0;
  output = '';

  constructor(
    readonly unixTarget: string,
    readonly binary = process.env.WEBSOCKIFY ?? '/usr/bin/websockify',
  ) {}

  async start(): Promise<this> {
    this.port = await freePort();
    const proc = spawn(this.binary, [`--unix-target=${this.unixTarget}`, `127.0.0.1:${this.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout.on('data', (c: Buffer) => (this.output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (this.output += c.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`websockify exited (${code}):\n${this.output}`))),
    );
    exited.catch(() => undefined); // later exits (stop()) are expected
    const t0 = Date.now();
    for (;;) {
      if (await Promise.race([canConnect(this.port), exited])) return this;
      if (Date.now() - t0 > 10_000) throw new Error(`websockify did not listen:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  stop(): void {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
