// Runs the test guest made by scripts/build-test-guest under qemu TCG with its serial port on stdin/stdout,
// for the tests in scripts/: wait for lines, type commands, read their exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ISO = path.join(REPO_ROOT, '.cache', 'tinylinux.iso');
/** The guest ISO; VIRTWEB_TEST_ISO picks another build, the empty string skips the tests that boot it. */
export const ISO = process.env.VIRTWEB_TEST_ISO ?? DEFAULT_ISO;
export const SKIP = ISO === '';
/** Direct kernel boot files, written next to the ISO by scripts/build-test-guest. */
export const KERNEL = ISO.replace(/\.iso$/, '.vmlinuz');
export const INITRD = ISO.replace(/\.iso$/, '.initrd');
/** The guest prints it on ttyS0 when its serial shell is up. */
export const MARKER = 'virtweb test guest ready';
/** Printed on ttyS0 just before MARKER: "virtweb test guest booted from: cdrom|disk|kernel (details)". */
export const BOOTED_FROM = /virtweb test guest booted from: (\S+)( \(.*\))?\r?\n/;
export const BOOT_TIMEOUT_MS = 60_000;
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A qemu process whose serial port is its stdin/stdout. */
export class Guest {
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

  /** Resolves with the match of `pattern` in the serial output at or after `from` (its `end`: the index past it). */
  async waitForMatch(
    pattern: string | RegExp,
    timeoutMs: number,
    from = 0,
  ): Promise<{ end: number; groups: string[] }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(from);
      if (typeof pattern === 'string') {
        const i = rest.indexOf(pattern);
        if (i >= 0) return { end: from + i + pattern.length, groups: [pattern] };
      } else {
        const m = pattern.exec(rest);
        if (m) return { end: from + m.index + m[0].length, groups: m.map((g) => g) };
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

  /** Resolves with the index just past `pattern` in the serial output at or after `from`. */
  async waitFor(pattern: string | RegExp, timeoutMs: number, from = 0): Promise<number> {
    return (await this.waitForMatch(pattern, timeoutMs, from)).end;
  }

  /**
   * Waits for the "booted from" line and the ready marker after it (with its line end, so what is typed next
   * doesn't land in the middle of the marker line). Resolves with where the guest says it booted from.
   */
  async waitForBoot(timeoutMs = BOOT_TIMEOUT_MS): Promise<{ bootedFrom: string; line: string; end: number }> {
    const booted = await this.waitForMatch(BOOTED_FROM, timeoutMs);
    const end = await this.waitFor(new RegExp(`${MARKER}\\r?\\n`), 10_000, booted.end);
    const line = (booted.groups[0] ?? '').trim();
    return { bootedFrom: booted.groups[1] ?? '', line, end };
  }

  type(text: string): void {
    this.proc.stdin?.write(text);
  }

  /**
   * Runs one command line in the serial shell; resolves with its exit status and its output (the serial output
   * after the echoed command, up to the status line).
   */
  async sh(command: string, timeoutMs: number, from = this.output.length): Promise<ShellResult> {
    const tag = `exit-status-${String(Math.random()).slice(2, 10)}`;
    this.type(`${command}; echo "${tag}=$?"\n`);
    // The echoed command line shows `${tag}=$?` literally; the status line has digits.
    const status = new RegExp(`^${tag}=(\\d+)\\r?$`, 'm');
    const { end, groups } = await this.waitForMatch(status, timeoutMs, from);
    // The last echo before the status: a line typed before the shell read it is echoed twice (once by the
    // tty, then again after the prompt by busybox's line editing).
    const echoed = this.output.indexOf('\n', this.output.lastIndexOf(`${tag}=$?`, end));
    const text = this.output
      .slice(echoed + 1, end)
      .replace(status, '')
      .replace(/\r/g, '');
    return { status: Number(groups[1]), output: text, end };
  }

  seconds(): string {
    return ((performance.now() - this.started) / 1000).toFixed(1);
  }

  /** Resolves when qemu exits; rejects after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`qemu did not exit within ${timeoutMs} ms:\n${this.output.slice(-1000)}`));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.running) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}

export interface ShellResult {
  status: number;
  output: string;
  end: number;
}

/** qemu's arguments for a headless TCG guest with ttyS0 on stdio; `machine` defaults to qemu's (pc). */
export function qemuArgs(
  boot: readonly string[],
  opts: { memoryMiB?: number; machine?: string } = {},
): string[] {
  return [
    ...(opts.machine ? ['-machine', opts.machine] : []),
    ...['-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', String(opts.memoryMiB ?? 256)],
    ...boot,
    ...['-serial', 'stdio'],
  ];
}

export function requireIso(): void {
  for (const f of [ISO, KERNEL, INITRD]) {
    if (!existsSync(f)) {
      throw new Error(
        `test guest file ${f} does not exist: run scripts/setup (or scripts/build-test-guest ${ISO}) first`,
      );
    }
  }
}
