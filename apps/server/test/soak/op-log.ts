// The soak's operation log: every request and its answer with a timestamp, so a violation can be replayed.
import fs from 'node:fs';

const KEEP = 400;

/** Timestamped lines, kept in memory (the last few hundred) and, when asked, written to a file and stdout. */
export class OpLog {
  readonly t0 = Date.now();
  private readonly recent: string[] = [];
  private readonly file: fs.WriteStream | undefined;

  constructor(opts: { file?: string | undefined; echo?: boolean | undefined } = {}) {
    this.echo = opts.echo === true;
    this.file = opts.file === undefined ? undefined : fs.createWriteStream(opts.file, { flags: 'w' });
  }

  private readonly echo: boolean;

  /** Seconds since the start, e.g. "+ 93.412s". */
  stamp(at = Date.now()): string {
    return `+${((at - this.t0) / 1000).toFixed(3).padStart(8)}s`;
  }

  line(text: string): void {
    const line = `${this.stamp()} ${text}`;
    this.recent.push(line);
    if (this.recent.length > KEEP) this.recent.shift();
    this.file?.write(`${line}\n`);
    if (this.echo) console.log(line);
  }

  tail(n: number): string[] {
    return this.recent.slice(-n);
  }

  close(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    return new Promise((resolve) => file.end(resolve));
  }
}
