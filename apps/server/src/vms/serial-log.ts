// Each guest's serial output on disk, the way libvirt keeps a console log: it outlives the server and the
// in-memory scrollback, is size-capped with one rotated file, and can be downloaded.
import fs from 'node:fs/promises';
import path from 'node:path';

/** Bytes per file before it rotates; with the one rotated file kept, a guest's log stays under 2x this. */
export const SERIAL_LOG_CAP_BYTES = 1024 * 1024;

/** A line of virtweb's own among a guest's serial output. */
export const virtwebLine = (text: string): Buffer => Buffer.from(`\r\n-- virtweb: ${text} --\r\n`);

/** How the line that opens each qemu process's output begins; an adopted guest's scrollback starts after it. */
const RUN_MARK = '\r\n-- virtweb: qemu started';

/** One guest's log, appended to in order (writes are coalesced; one at a time). */
export class SerialLog {
  private pending: Buffer[] = [];
  private writing: Promise<void> | undefined;
  private size: number | undefined;
  private failed = false;

  constructor(
    private readonly file: string,
    private readonly capBytes: number,
  ) {}

  /** Queues output for the file; never throws (a full disk loses log lines, not the console). */
  append(chunk: Buffer): void {
    this.pending.push(chunk);
    this.writing ??= this.drain();
  }

  /** Resolves once everything appended so far is in the file. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const data = Buffer.concat(this.pending);
        this.pending = [];
        await this.write(data);
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(data: Buffer): Promise<void> {
    try {
      this.size ??= await fs.stat(this.file).then(
        (s) => s.size,
        () => 0,
      );
      if (this.size > 0 && this.size + data.length > this.capBytes) {
        await fs.rename(this.file, `${this.file}.1`);
        this.size = 0;
      }
      await fs.appendFile(this.file, data, { mode: 0o600 });
      this.size += data.length;
      this.failed = false;
    } catch (err) {
      this.size = undefined;
      if (!this.failed) console.warn(`serial log ${this.file}: ${(err as Error).message}`);
      this.failed = true;
    }
  }
}

/** The serial logs of all guests: `<data>/logs/<id>.serial.log` and its rotated `.1`. */
export class SerialLogs {
  private readonly open = new Map<string, SerialLog>();

  constructor(
    readonly dir: string,
    private readonly capBytes = SERIAL_LOG_CAP_BYTES,
  ) {}

  private file(id: string): string {
    return path.join(this.dir, `${id}.serial.log`);
  }

  /** The guest's log for appending (one writer per guest, shared by its successive qemu processes). */
  log(id: string): SerialLog {
    let log = this.open.get(id);
    if (!log) this.open.set(id, (log = new SerialLog(this.file(id), this.capBytes)));
    return log;
  }

  /** Marks the start of a new qemu process in the log. */
  startRun(id: string, pid: number): void {
    this.log(id).append(virtwebLine(`qemu started (pid ${pid}) at ${new Date().toISOString()}`));
  }

  /** The whole log, oldest first (rotated file, then the current one); empty when there is none. */
  async read(id: string): Promise<Buffer> {
    await this.open.get(id)?.flushed();
    const parts = await Promise.all(
      [`${this.file(id)}.1`, this.file(id)].map((f) => fs.readFile(f).catch(() => Buffer.alloc(0))),
    );
    return Buffer.concat(parts);
  }

  /** At most the last `bytes` of the whole log (what a migration carries to the target). */
  async tail(id: string, bytes: number): Promise<Buffer> {
    const all = await this.read(id);
    return all.subarray(Math.max(0, all.length - bytes));
  }

  /** Starts a guest's log with what it printed elsewhere (a guest arriving by migration), then `note`. */
  async seed(id: string, earlier: Buffer, note: string): Promise<void> {
    await this.remove(id);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(this.file(id), Buffer.concat([earlier, virtwebLine(note)]), {
      mode: 0o600,
      flag: 'wx',
    });
  }

  /** The current qemu process's output, at most the last `bytes`: the scrollback of an adopted guest. */
  async currentRun(id: string, bytes: number): Promise<Buffer> {
    const all = await this.read(id);
    const mark = all.lastIndexOf(RUN_MARK);
    const run = mark < 0 ? all : all.subarray(all.indexOf('\n', mark + RUN_MARK.length) + 1);
    return run.subarray(Math.max(0, run.length - bytes));
  }

  /** Removes the guest's log files (the VM was deleted). */
  async remove(id: string): Promise<void> {
    await this.open.get(id)?.flushed();
    this.open.delete(id);
    await Promise.all([this.file(id), `${this.file(id)}.1`].map((f) => fs.rm(f, { force: true })));
  }
}
