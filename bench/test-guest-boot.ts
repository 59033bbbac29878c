// Benchmark: how long the test guest (scripts/build-test-guest) takes under TCG from qemu's spawn to its serial
// ready marker, per way of booting it: the ISO as a BIOS CD on pc (qemu's default machine) and on q35 (the
// wizard's default; its CD sits on AHCI), and qemu's direct kernel boot. VIRTWEB_TEST_ISO picks another build;
// BENCH_TEST_GUEST_BASELINE=<other.iso> boots that build too (its .vmlinuz/.initrd beside it), as variants
// named "<variant> baseline". Runs are interleaved (A B C A B C ...) so that a busy host slows every variant
// alike. BENCH_TEST_GUEST_RUNS sets the runs per variant (default 5).
import { Guest, INITRD, ISO, KERNEL, qemuArgs, requireIso } from '../scripts/test-guest-qemu.ts';
import { cpuSeconds } from './lib/proc-figures.ts';
import { saveResult, type Figures } from './lib/results.ts';
import { ms, summarize, textTable } from './lib/stats.ts';

const RUNS = Number(process.env.BENCH_TEST_GUEST_RUNS ?? 5);
const BASELINE = process.env.BENCH_TEST_GUEST_BASELINE;

function variants(iso: string, kernel: string, initrd: string): Record<string, string[]> {
  const append = 'console=tty0 console=ttyS0,115200 quiet no_timer_check';
  return {
    'cd-pc': qemuArgs(['-cdrom', iso], { machine: 'pc' }),
    'cd-q35': qemuArgs(['-cdrom', iso], { machine: 'q35' }),
    kernel: qemuArgs(['-kernel', kernel, '-initrd', initrd, '-append', append], { machine: 'pc' }),
  };
}

function allVariants(): Record<string, string[]> {
  const all = variants(ISO, KERNEL, INITRD);
  if (BASELINE === undefined) return all;
  const base = BASELINE.replace(/\.iso$/, '');
  for (const [name, args] of Object.entries(variants(BASELINE, `${base}.vmlinuz`, `${base}.initrd`)))
    all[`${name} baseline`] = args;
  return all;
}

interface Boot {
  /** Milliseconds from spawn to the ready marker. */
  wall: number;
  /** qemu's CPU milliseconds by then: the guest's work, which a busy host (other processes) disturbs less. */
  cpu: number;
}

/** One boot to the ready marker, or undefined when the guest never got there. */
async function bootOnce(args: readonly string[]): Promise<Boot | undefined> {
  const guest = new Guest(args);
  try {
    await guest.waitForBoot(120_000);
    const wall = performance.now() - guest.started;
    const pid = guest.proc.pid;
    return pid === undefined ? undefined : { wall, cpu: (await cpuSeconds(pid)) * 1000 };
  } catch {
    return undefined;
  } finally {
    await guest.kill();
  }
}

export async function testGuestBootBench(): Promise<void> {
  requireIso();
  const all = allVariants();
  console.log(
    `test guest boot to its ready marker under TCG: ${ISO}${BASELINE === undefined ? '' : ` (baseline ${BASELINE})`}, ${RUNS} runs per variant`,
  );
  const samples: Record<string, (Boot | undefined)[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(all)) {
      (samples[name] ??= []).push(await bootOnce(args));
    }
  }
  const rows = [['variant', 'wall median', 'min', 'max', 'qemu CPU median', 'failed']];
  const figures: Figures = {};
  for (const [name, boots] of Object.entries(samples)) {
    const ok = boots.filter((b) => b !== undefined);
    const wall = summarize(ok.map((b) => b.wall));
    const cpu = summarize(ok.map((b) => b.cpu));
    rows.push([
      name,
      ms(wall.median, 0),
      ms(wall.min, 0),
      ms(wall.max, 0),
      ms(cpu.median, 0),
      String(boots.length - ok.length),
    ]);
    const key = `test-guest.${name.replace(' ', '.')}`;
    if (ok.length > 0)
      Object.assign(figures, { [`${key}.median`]: wall.median, [`${key}.cpu.median`]: cpu.median });
  }
  console.log(textTable(rows));
  saveResult({ bench: 'test-guest', params: { runs: RUNS, iso: ISO, baseline: BASELINE ?? '' }, figures });
}
