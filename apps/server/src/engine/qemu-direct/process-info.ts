import fs from 'node:fs/promises';
import path from 'node:path';
import type { RuntimePaths } from '@virtweb/qemu';
import type { VmLog, VmProcess } from '@virtweb/protocol';
import { CLK_TCK, parseProcStat, readProc } from '../../metrics/proc.ts';
import { logHints } from './log-hints.ts';

const STATES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'waiting for IO',
  T: 'stopped by a signal',
  t: 'traced',
  Z: 'zombie',
  X: 'dead',
  I: 'idle',
};

async function bootTimeMs(): Promise<number> {
  const stat = (await readProc('/proc/stat')) ?? '';
  return Number(/^btime (\d+)/m.exec(stat)?.[1] ?? 0) * 1000;
}

/** What `ps -o pid,stat,lstart,args`, `top -H -p` and `ls -l /proc/<pid>/fd` say about a guest's qemu. */
export async function describeProcess(pid: number, paths: RuntimePaths): Promise<VmProcess | undefined> {
  const [statText, cmdline, tids, fds, boot] = await Promise.all([
    readProc(`/proc/${pid}/stat`),
    readProc(`/proc/${pid}/cmdline`),
    fs.readdir(`/proc/${pid}/task`).catch(() => [] as string[]),
    fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]),
    bootTimeMs(),
  ]);
  const stat = statText === undefined ? null : parseProcStat(statText);
  if (!stat || cmdline === undefined) return undefined;
  const threads = await Promise.all(
    tids.map(async (tid) => {
      const name = ((await readProc(`/proc/${pid}/task/${tid}/comm`)) ?? '').trim();
      // NOTE: with -name debug-threads=on qemu names vCPU threads "CPU <n>/TCG" or "CPU <n>/KVM".
      const vcpu = /^CPU (\d+)\//.exec(name)?.[1];
      return { tid: Number(tid), name, vcpu: vcpu === undefined ? null : Number(vcpu) };
    }),
  );
  const sockets = await Promise.all(
    (['qmp', 'qmpUser', 'monitor', 'vnc', 'serial'] as const).map(async (key) => ({
      name: path.basename(paths[key]),
      path: paths[key],
      present: await fs.stat(paths[key]).then(
        (s) => s.isSocket(),
        () => false,
      ),
    })),
  );
  return {
    pid,
    state: `${stat.state} (${STATES[stat.state] ?? 'unknown'})`,
    startedAt: new Date(boot + (stat.startTicks / CLK_TCK) * 1000).toISOString(),
    cmdline: cmdline.split('\0').filter((a) => a !== ''),
    threads: threads.sort((a, b) => a.tid - b.tid),
    sockets,
    openFiles: fds.length,
  };
}

/** The last `lines` lines of qemu.log with plain-language hints for common failures. */
export async function readQemuLog(logPath: string, lines: number): Promise<VmLog> {
  const text = await fs.readFile(logPath, 'utf8').catch(() => '');
  const tail = text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
  return { text: tail, hints: logHints(tail) };
}
