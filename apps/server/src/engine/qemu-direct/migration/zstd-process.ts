// zstd as a child process (argv array, never a shell) at one end of a migration stream.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface ZstdRun {
  child: ChildProcess;
  /** Resolves when zstd has exited: its exit code (null after a signal) and the end of its stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Ends zstd if it still runs (SIGTERM to this child only). */
  kill(): void;
}

const STDERR_KEEP = 2000;

/**
 * Starts `binary` (zstd) with `args`. Resolves once it runs.
 * @throws Error when it cannot be started (e.g. ENOENT: zstd is not installed).
 */
export async function startZstd(binary: string, args: string[], stdio: StdioOptions): Promise<ZstdRun> {
  const child = spawn(binary, args, { stdio });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-STDERR_KEEP)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr: stderr.trim() })),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // Later errors (EPIPE on a closed stdin, a failed kill) surface through `exited`.
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  return {
    child,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** zstd's words when it failed, for the error. */
export function zstdFailure(exit: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}): string {
  const how = exit.signal === null ? `exit code ${exit.code ?? '?'}` : `signal ${exit.signal}`;
  return exit.stderr === '' ? `zstd ended with ${how}` : `zstd ended with ${how}: ${exit.stderr}`;
}
