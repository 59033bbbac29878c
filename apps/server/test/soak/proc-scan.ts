// What really runs: the qemu processes of a data dir (from /proc), which images they hold open, and the helper
// processes (qemu-img, zstd) working on its files. The soak compares this with what the API says.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface QemuSeen {
  pid: number;
  ppid: number;
  /** The VM whose run dir is on its command line (`<data>/run/<id>/`). */
  vmId: string;
  /** Image names (files in `<data>/images/`) it holds open. */
  openImages: string[];
  /** Image names it holds open although they were deleted (`... (deleted)`). */
  deletedImages: string[];
}

export interface HelperSeen {
  pid: number;
  ppid: number;
  command: string;
}

export interface ProcessScan {
  at: number;
  qemu: QemuSeen[];
  helpers: HelperSeen[];
}

const HELPERS = ['qemu-img', 'qemu-io', 'qemu-nbd', 'zstd'];

/** Every live (not zombie) process whose command line names this data dir. */
export async function scanProcesses(dataDir: string): Promise<ProcessScan> {
  const at = Date.now();
  const imagesDir = path.join(dataDir, 'images') + '/';
  const runDir = path.join(dataDir, 'run') + '/';
  const qemu: QemuSeen[] = [];
  const helpers: HelperSeen[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const args = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const line = args.join(' ');
    if (!line.includes(`${dataDir}/`)) continue;
    const stat = await readStat(pid);
    if (!stat || stat.state === 'Z') continue;
    const exe = path.basename(args[0] ?? '');
    if (exe.startsWith('qemu-system')) {
      const runArg = args.find((a) => a.includes(runDir));
      const vmId = runArg?.slice(runArg.indexOf(runDir) + runDir.length).split('/')[0] ?? '?';
      const files = await openFiles(pid);
      const inImages = files.filter((f) => f.startsWith(imagesDir));
      const name = (f: string) => f.slice(imagesDir.length).replace(/ \(deleted\)$/, '');
      qemu.push({
        pid,
        ppid: stat.ppid,
        vmId,
        openImages: [...new Set(inImages.filter((f) => !f.endsWith(' (deleted)')).map(name))],
        deletedImages: [...new Set(inImages.filter((f) => f.endsWith(' (deleted)')).map(name))],
      });
    } else if (HELPERS.includes(exe)) {
      helpers.push({ pid, ppid: stat.ppid, command: line });
    }
  }
  return { at, qemu, helpers };
}

/** True while `pid` exists and is not a zombie. */
export async function isLive(pid: number): Promise<boolean> {
  const stat = await readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

async function readStat(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
  const [state = '?', ppid = '0'] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

async function openFiles(pid: number): Promise<string[]> {
  const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.filter((l) => l.startsWith('/'));
}
