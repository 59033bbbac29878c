// Boots the test guest ISO made by scripts/build-test-guest (scripts/setup builds it into .cache/) under
// qemu TCG and talks to its serial console: the marker line, a shell round trip, and a clean poweroff.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ISO = path.join(REPO_ROOT, '.cache', 'tinylinux.iso');
// VIRTWEB_TEST_ISO picks another build of the guest; set it to the empty string to skip these tests.
const ISO = process.env.VIRTWEB_TEST_ISO ?? DEFAULT_ISO;
const SKIP = ISO === '';
const MARKER = 'virtweb test guest ready';
const BOOT_TIMEOUT_MS = 60_000;

if (SKIP) console.warn('VIRTWEB_TEST_ISO is set to the empty string: skipping the test guest boot tests');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A qemu process whose serial port is its stdin/stdout. */
class Guest {
  readonly proc: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly started = performance.now();
  output = '';
  private stderr = '';
  private spawnError: Error | undefined;
  private waiters: (() => void)[] = [];

  constructor(args: readonly string[]) {
    this.proc = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout?.setEncoding('latin1');
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stdout?.on('data', (chunk: string) => {
      this.output += chunk;
      this.wake();
    });
    this.proc.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    // Writing to a qemu that already exited must not crash the test run; the exit is reported instead.
    this.proc.stdin?.on('error', () => undefined);
    this.exited = new Promise<Exit>((resolve) => {
      this.proc.on('error', (err) => {
        this.spawnError = err;
        resolve({ code: null, signal: null });
      });
      this.proc.on('exit', (code, signal) => {
        resolve({ code, signal });
      });
    });
    void this.exited.then(() => this.wake());
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && this.spawnError === undefined;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private describe(): string {
    const tail = this.output.slice(-2000);
    const why = this.spawnError
      ? `qemu could not be started (${this.spawnError.message}); scripts/setup installs qemu-system-x86`
      : this.running
        ? 'qemu is still running'
        : `qemu exited (code ${String(this.proc.exitCode)}, signal ${String(this.proc.signalCode)})`;
    return `${why}\n--- qemu stderr ---\n${this.stderr}\n--- last serial output ---\n${tail}`;
  }

  /** Resolves with the index just past `pattern` in the serial output at or after `from`. */
  async waitFor(pattern: string | RegExp, timeoutMs: number, from = 0): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(from);
      if (typeof pattern === 'string') {
        const i = rest.indexOf(pattern);
        if (i >= 0) return from + i + pattern.length;
      } else {
        const m = pattern.exec(rest);
        if (m) return from + m.index + m[0].length;
      }
      const left = deadline - performance.now();
      if (left <= 0 || !this.running) {
        const when = left <= 0 ? `timed out after ${timeoutMs} ms` : 'gave up';
        throw new Error(`${when} waiting for ${String(pattern)}: ${this.describe()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  type(text: string): void {
    this.proc.stdin?.write(text);
  }

  seconds(): string {
    return ((performance.now() - this.started) / 1000).toFixed(1);
  }

  async kill(): Promise<void> {
    if (this.running) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}

function qemuArgs(boot: readonly string[]): string[] {
  return ['-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', '256', ...boot, '-serial', 'stdio'];
}

function requireIso(): void {
  if (!existsSync(ISO)) {
    throw new Error(
      `test guest ISO ${ISO} does not exist: run scripts/setup (or scripts/build-test-guest ${ISO}) first`,
    );
  }
}

describe.skipIf(SKIP)('test guest (tinylinux) under qemu TCG', () => {
  let guest: Guest | undefined;

  afterEach(async () => {
    await guest?.kill();
    guest = undefined;
  });

  it('boots as a CD, answers on the serial shell and powers off with exit code 0', async () => {
    requireIso();
    const g = (guest = new Guest(qemuArgs(['-cdrom', ISO])));
    // The marker's line end too, so what we type doesn't land in the middle of the marker line.
    let at = await g.waitFor(new RegExp(`${MARKER}\\r?\\n`), BOOT_TIMEOUT_MS);
    console.log(`tinylinux (BIOS, -cdrom) printed "${MARKER}" after ${g.seconds()} s`);

    g.type('echo hi-$RANDOM\n');
    at = await g.waitFor(/^hi-\d+\r?$/m, 20_000, at);
    expect(g.output.slice(0, at)).toMatch(/\nhi-\d+\r?$/);

    g.type('poweroff\n');
    const exit = await Promise.race([
      g.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => {
          reject(new Error(`qemu did not exit within 30 s of poweroff:\n${g.output.slice(-1000)}`));
        }, 30_000),
      ),
    ]);
    console.log(`tinylinux powered off, qemu exited after ${g.seconds()} s in all`);
    expect(exit).toEqual({ code: 0, signal: null });
  }, 150_000);

  it('boots as a read-only virtio disk', async () => {
    requireIso();
    const g = (guest = new Guest(qemuArgs(['-drive', `file=${ISO},format=raw,if=virtio,readonly=on`])));
    await g.waitFor(MARKER, BOOT_TIMEOUT_MS);
    console.log(`tinylinux (BIOS, virtio disk) printed "${MARKER}" after ${g.seconds()} s`);
  }, 120_000);
});
