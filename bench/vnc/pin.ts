import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * CPU placement for the transport scenario: the client side (bench client and fake server) on one core and
 * the relay on another, as a browser and the server it talks to are on different machines. Left to the
 * scheduler, three busy threads on two cores land differently from run to run, and the ratios with them.
 */
export class CpuPlacement {
  readonly note: string;
  private readonly pinned = new Set<number>();

  private constructor(
    readonly cpus: number,
    readonly usable: boolean,
    why: string,
  ) {
    this.note = why;
  }

  static detect(): CpuPlacement {
    const cpus = os.availableParallelism();
    if (cpus < 2) return new CpuPlacement(cpus, false, 'not pinned: one CPU only');
    try {
      execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    } catch {
      return new CpuPlacement(cpus, false, 'not pinned: taskset (util-linux) not found');
    }
    return new CpuPlacement(cpus, true, 'client and fake server pinned to CPU 0, the relays to CPU 1');
  }

  /** Pins every thread of `pid` (children forked later inherit it) to `cpu`. */
  pin(pid: number, cpu: 0 | 1): void {
    if (!this.usable) return;
    this.pinned.add(pid); // first: --all-tasks may have moved some threads before failing
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], {
      stdio: 'ignore',
    });
  }

  /** Gives every pinned process all CPUs back (those that still exist). */
  release(): void {
    for (const pid of this.pinned) {
      try {
        execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', `0-${this.cpus - 1}`, String(pid)], {
          stdio: 'ignore',
        });
      } catch {
        // gone already
      }
    }
    this.pinned.clear();
  }
}
