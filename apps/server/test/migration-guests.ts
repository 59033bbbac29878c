// Real qemu guests for the migration engine tests: the test ISO on `pc` (TCG), a shell on the serial socket,
// and cleanup of exactly the processes and directories a test made.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildArgv, runtimePaths, startQemu, type QemuProcess, type VmSpec } from '@virtweb/qemu';
import { READY, TEST_ISO } from './harness.ts';

const GUEST_KERNEL = TEST_ISO.replace(/\.iso$/, '.vmlinuz');
const GUEST_INITRD = TEST_ISO.replace(/\.iso$/, '.initrd');
/** What the ISO's GRUB gives the kernel, less the boot source (the guest then says it booted `kernel`). */
const GUEST_CMDLINE = 'console=tty0 console=ttyS0,115200 quiet no_timer_check cryptomgr.notests';

const run = promisify(execFile);
export const QEMU = process.env.VIRTWEB_QEMU ?? 'qemu-system-x86_64';
export const COUNTER = 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done &';

/** The guest's serial console (qemu is the server); everything it printed since we connected is in `text`. */
export class SerialConsole {
  text = '';
  #seq = 0;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => (this.text += d.toString('latin1')));
    socket.on('error', () => undefined);
  }

  static connect(socketPath: string): Promise<SerialConsole> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      socket.once('connect', () => resolve(new SerialConsole(socket)));
      socket.once('error', reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  async waitFor(pred: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!pred(this.text)) {
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(`timed out waiting for ${what}; serial:\n${this.text.slice(-1500)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs one shell command line and returns its output (markers are echoed, never typed as such). */
  async sh(cmd: string, timeoutMs = 30_000): Promise<string> {
    const n = ++this.#seq;
    const from = this.text.length;
    this.send(`echo '<<'b${n}'>>'; ${cmd}; echo '<<'e${n}'>>'`);
    const [begin, end] = [`<<b${n}>>`, `<<e${n}>>`];
    await this.waitFor((t) => t.indexOf(end, from) >= 0, `guest command ${cmd}`, timeoutMs);
    return this.text.slice(this.text.indexOf(begin, from) + begin.length, this.text.indexOf(end, from));
  }

  /** Counter values printed so far (`tick N` lines). */
  ticks(): number[] {
    return [...this.text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
  }

  lastTick(): number {
    return Math.max(0, ...this.ticks());
  }

  /** Waits until the counter has printed a value above `n`. */
  async tickAbove(n: number, timeoutMs = 30_000): Promise<number> {
    await this.waitFor(() => this.lastTick() > n, `a tick above ${n}`, timeoutMs);
    return this.lastTick();
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface LabGuest {
  proc: QemuProcess;
  serial: SerialConsole;
  dir: string;
}

export interface GuestOptions {
  name: string;
  memoryMiB: number;
  disks?: VmSpec['disks'];
  /** Start with `-incoming defer` (and stay paused) instead of booting. */
  incoming?: boolean;
}

/** The guests and directories of one test file. */
export class GuestLab {
  readonly #procs: QemuProcess[] = [];
  readonly #consoles: SerialConsole[] = [];
  #dirs: string[] = [];

  async dir(): Promise<string> {
    const d = await mkdtemp(path.join(os.tmpdir(), 'vwm-'));
    this.#dirs.push(d);
    return d;
  }

  /** Starts qemu; a booting guest is running (not yet ready) when this resolves. */
  async start(opts: GuestOptions): Promise<LabGuest> {
    const dir = await this.dir();
    const paths = runtimePaths(path.join(dir, 'run'));
    const spec: VmSpec = {
      name: opts.name,
      memoryMiB: opts.memoryMiB,
      vcpus: 1,
      accel: 'tcg',
      machine: 'pc',
      disks: opts.disks ?? [],
      cdrom: TEST_ISO,
      // Straight into the test guest's kernel (no firmware disk probing, no GRUB): seconds less per boot, and
      // the same on both ends of a migration.
      boot: 'kernel',
      kernel: { path: GUEST_KERNEL, initrd: GUEST_INITRD, cmdline: GUEST_CMDLINE },
      nics: [],
    };
    const argv = [...buildArgv(spec, paths, { startPaused: true })];
    if (opts.incoming === true) argv.push('-incoming', 'defer');
    const proc = await startQemu({ binary: QEMU, argv, paths });
    this.#procs.push(proc);
    const serial = await SerialConsole.connect(paths.serial);
    this.#consoles.push(serial);
    if (opts.incoming !== true) await proc.qmp.execute('cont');
    return { proc, serial, dir };
  }

  /** A booted guest with the counter running on its console. */
  async startCounting(opts: GuestOptions): Promise<LabGuest> {
    const guest = await this.start(opts);
    await guest.serial.waitFor((t) => t.includes(READY), 'the guest ready marker', 90_000);
    guest.serial.send(COUNTER);
    await guest.serial.tickAbove(2);
    return guest;
  }

  async cleanup(): Promise<void> {
    for (const c of this.#consoles.splice(0)) c.close();
    const procs = this.#procs.splice(0);
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))])));
    await Promise.all(this.#dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** The first `length` bytes of a qcow2 image as qemu-io reads them (the guest's view of the disk). */
export async function readImageBytes(file: string, length: number): Promise<string> {
  const { stdout } = await run('qemu-io', ['-r', '-U', '-f', 'qcow2', '-c', `read -v 0 ${length}`, file]);
  // Lines like `00000000:  61 66 74 ...  aft...` (the ASCII column shows punctuation as dots: use the hex).
  const hex = stdout
    .split('\n')
    .filter((l) => /^[0-9a-f]{8}:/.test(l))
    .flatMap((l) => (l.slice(10).match(/^(?:\s[0-9a-f]{2})+/)?.[0] ?? '').trim().split(/\s+/));
  return Buffer.from(hex.join(''), 'hex').toString('latin1');
}
