import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QEMU_SANDBOX, qemuEnvironment, spawnAs, type QemuIdentity } from '@virtweb/qemu';
import { kvmProbeBootSector, PROBE_SUCCESS_EXIT } from './kvm-probe-image.ts';

export interface ProbeOutcome {
  ok: boolean;
  /** Plain words for the host page. */
  detail: string;
  ms: number;
}

interface GuestRun {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a throw-away qemu with a time limit; stops early when `done(stdout)` says so. Like a guest's qemu
 * (see startQemu): as `runAs` from the start, when given, and under the same sandbox.
 */
async function runGuest(
  binary: string,
  argv: string[],
  timeoutMs: number,
  runAs: QemuIdentity | undefined,
  done: (output: string) => boolean = () => false,
): Promise<GuestRun> {
  const t0 = performance.now();
  const run = spawnAs(binary, argv, runAs);
  const child = spawn(run.command, run.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: qemuEnvironment(),
    ...(run.ids === undefined ? {} : { uid: run.ids.uid, gid: run.ids.gid }),
  });
  let output = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString('latin1');
    if (done(output)) child.kill('SIGKILL');
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      stderr += err.message;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  return { exitCode, timedOut, output, stderr: stderr.trim(), ms: Math.round(performance.now() - t0) };
}

const COMMON = ['-nodefaults', '-no-user-config', '-sandbox', QEMU_SANDBOX, '-display', 'none', '-m', '128'];

function qemuSaid(stderr: string): string {
  const line = stderr.split('\n').find((l) => !l.includes('warning:')) ?? stderr.split('\n')[0] ?? '';
  return line.replace(/^qemu-system-x86_64: /, '');
}

/**
 * The accelerator and the same CPU model as real guests (argv.ts). NOTE: on some nested hosts `-cpu host` is
 * exactly what makes qemu abort (an MSR KVM refuses), while qemu's default model starts and hangs later in Linux.
 */
function accelArgs(accel: 'kvm' | 'tcg'): string[] {
  return ['-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max'];
}

/**
 * Stage 1: a boot sector that must reach 64-bit code. Cheap (well under a second with a working KVM) and
 * catches hosts whose virtualization cannot enter long mode at all.
 */
export async function probeLongMode(
  binary: string,
  accel: 'kvm' | 'tcg',
  timeoutMs: number,
  runAs?: QemuIdentity,
): Promise<ProbeOutcome> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'virtweb-probe-'));
  try {
    const disk = path.join(dir, 'probe.img');
    await fs.writeFile(disk, kvmProbeBootSector(), { mode: 0o600 });
    // qemu opens the disk read-write: the temp dir and the disk are its user's.
    if (runAs !== undefined) for (const p of [dir, disk]) await fs.chown(p, runAs.uid, runAs.gid);
    const run = await runGuest(
      binary,
      [
        ...COMMON,
        ...accelArgs(accel),
        '-machine',
        'pc',
        '-drive',
        `file=${disk.replaceAll(',', ',,')},format=raw,if=ide`,
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=0x04',
        '-debugcon',
        'stdio',
      ],
      timeoutMs,
      runAs,
    );
    if (run.exitCode === PROBE_SUCCESS_EXIT)
      return { ok: true, detail: `reached long mode in ${run.ms} ms`, ms: run.ms };
    if (run.timedOut) {
      const where = run.output.includes('R') ? 'ran real-mode code but hung entering long mode' : 'never ran';
      return { ok: false, detail: `the probe guest ${where} within ${timeoutMs / 1000} s`, ms: run.ms };
    }
    return { ok: false, detail: `qemu refused to run the probe guest: ${qemuSaid(run.stderr)}`, ms: run.ms };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The marker the test guest prints on its serial port once booted. */
export const GUEST_READY_MARKER = 'virtweb test guest ready';

/**
 * Stage 2: boot a real Linux kernel + initramfs to its serial marker. NOTE: with nested KVM on some hosts a
 * boot sector reaches long mode, yet Linux hangs right after the boot loader; only a real boot tells.
 * `runAs` must be able to read the kernel and initrd.
 */
export async function probeLinuxBoot(
  binary: string,
  accel: 'kvm' | 'tcg',
  kernel: { kernel: string; initrd: string },
  timeoutMs: number,
  runAs?: QemuIdentity,
): Promise<ProbeOutcome> {
  const run = await runGuest(
    binary,
    [
      ...COMMON,
      ...accelArgs(accel),
      '-machine',
      'q35',
      '-kernel',
      kernel.kernel,
      '-initrd',
      kernel.initrd,
      '-append',
      'console=ttyS0 panic=-1',
      '-serial',
      'stdio',
      '-no-reboot',
    ],
    timeoutMs,
    runAs,
    (out) => out.includes(GUEST_READY_MARKER),
  );
  if (run.output.includes(GUEST_READY_MARKER))
    return { ok: true, detail: `booted Linux in ${run.ms} ms`, ms: run.ms };
  if (run.timedOut) {
    const printed = run.output.trim().length > 0 ? 'started but' : 'printed nothing and';
    return {
      ok: false,
      detail: `a Linux probe guest ${printed} did not finish booting within ${timeoutMs / 1000} s`,
      ms: run.ms,
    };
  }
  return {
    ok: false,
    detail: `qemu could not boot the Linux probe guest: ${qemuSaid(run.stderr)}`,
    ms: run.ms,
  };
}
