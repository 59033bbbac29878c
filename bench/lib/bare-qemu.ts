// Bare qemu, started as the server starts it (the same argv, as qemu's unprivileged user, detached) but driven
// only by QMP from the bench: the baseline the server's start, migration and VNC paths are measured against.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { QmpClient } from '@virtweb/qmp';
import type { CommandLine } from '@virtweb/protocol';
import { qemuEnvironment } from '@virtweb/qemu';
import type { TestServer } from '../../apps/server/test/harness.ts';

/** qemu's user and group as the server spawns it (the server runs as root here). */
export interface QemuIds {
  uid: number;
  gid: number;
}

export async function qemuIds(user = 'virtweb-qemu'): Promise<QemuIds | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  const fields = passwd
    .split('\n')
    .find((l) => l.startsWith(`${user}:`))
    ?.split(':');
  if (fields?.[2] === undefined || fields[3] === undefined) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** The server's argv for VM `id`, with its run dir swapped for `bareDir` (a sibling of the same length). */
export async function bareArgv(server: TestServer, id: string, bareDir: string): Promise<string[]> {
  const res = await server.api('GET', `/api/vms/${id}/command-line`);
  if (res.status !== 200) throw new Error(`command-line: ${res.status} ${JSON.stringify(res.body)}`);
  const { argv } = res.body as CommandLine;
  const runDir = path.join(server.dataDir, 'run', id);
  return argv.map((a) => a.replaceAll(runDir, bareDir));
}

/** A sibling of the guests' run dirs that qemu's user may write. */
export async function makeBareDir(
  server: TestServer,
  name: string,
  ids: QemuIds | undefined,
): Promise<string> {
  const dir = path.join(server.dataDir, 'run', name);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { mode: 0o700 });
  // qemu's own (the server's run dirs are root's with qemu's group; an inherited ACL entry for qemu's user
  // could outrank that group's rights here, the owner's are never outranked).
  if (ids) {
    await fs.chown(dir, ids.uid, ids.gid);
    // NOTE: a server start chmods its private dirs, which narrows their ACL mask: qemu's user may not pass
    // them again until the server's next guest start grants it, as this does.
    const dirs = [server.dataDir, path.join(server.dataDir, 'run'), path.join(server.dataDir, 'images')];
    execFileSync('setfacl', ['-m', `u:${ids.uid}:x`, ...dirs]);
  }
  return dir;
}

export interface BareQemu {
  child: ChildProcess;
  qmp: QmpClient;
  /** Spawn -> QMP greeting and qmp_capabilities answered. */
  readyMs: number;
  gone: Promise<void>;
}

/**
 * Spawns argv (argv[0] the binary) and connects to `qmpSocket`, retrying every `pollMs` (the server retries
 * every 25 ms; the bare default polls at 1 ms, the lower bound of what a start can cost).
 */
export async function spawnBare(
  argv: readonly string[],
  dir: string,
  ids: QemuIds | undefined,
  pollMs = 1,
): Promise<BareQemu> {
  const [binary, ...args] = argv;
  if (binary === undefined) throw new Error('empty argv');
  const qmpSocket = path.join(dir, 'qmp.sock');
  const t0 = performance.now();
  const log = await fs.open(path.join(dir, 'qemu.log'), 'a');
  const child = spawn(binary, args, {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    cwd: dir,
    env: qemuEnvironment(),
    ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
  });
  await log.close();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const life = { exited: false };
  void gone.then(() => (life.exited = true));
  for (;;) {
    if (life.exited) {
      const why = await fs.readFile(path.join(dir, 'qemu.log'), 'utf8').catch(() => '');
      throw new Error(`bare qemu exited during start: ${why.trim()}`);
    }
    try {
      const qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 10_000 });
      return { child, qmp, readyMs: performance.now() - t0, gone };
    } catch {
      await new Promise((r) => setTimeout(r, pollMs));
    }
    if (performance.now() - t0 > 30_000) {
      child.kill('SIGKILL');
      throw new Error('bare qemu: no QMP within 30 s');
    }
  }
}

/** `cont` and the RESUME event; resolves with the ms it took. */
export async function contUntilResumed(qmp: QmpClient): Promise<number> {
  const t0 = performance.now();
  const resumed = new Promise<void>((resolve) => qmp.once('RESUME', () => resolve()));
  await qmp.execute('cont');
  await resumed;
  return performance.now() - t0;
}

/** `quit` and the process gone; SIGKILL if it lingers. */
export async function quitBare(bare: BareQemu): Promise<void> {
  await bare.qmp.execute('quit').catch(() => undefined);
  const timer = setTimeout(() => bare.child.kill('SIGKILL'), 5000);
  await bare.gone;
  clearTimeout(timer);
  await bare.qmp.close().catch(() => undefined);
}
