// A libvirt daemon of a test's own (Debian's libvirtd, without systemd): `virtlogd -d` when none runs, then
// `libvirtd -d` with a config of its own whose sockets live in a temp dir (auth none), stopped afterwards with
// every domain the test left. Its qemu driver keeps the host's state dirs, so two cannot run side by side: where
// the host runs libvirtd already (a developer's machine with systemd), the test uses that one and stops nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LibvirtConnection } from '../src/engine/libvirt/libvirt-connection.ts';
import { until } from './until.ts';

const VIRTLOGD_SOCKET = '/run/libvirt/virtlogd-sock';

export interface LibvirtDaemon {
  /** The URI a connection is added with: qemu:///system on this daemon's socket. */
  uri: string;
  socket: string;
  /** Stops libvirtd and starts it again (its domains keep running); nothing where the test did not start it. */
  restart(): Promise<void>;
  /** An open connection of the test's own (to define a domain as another tool would). */
  connect(): Promise<LibvirtConnection>;
  /** Destroys and undefines the domains `leftOver` names (by name and XML), then stops what was started. */
  stop(leftOver: (name: string, xml: string) => boolean): Promise<void>;
}

const canConnect = (socket: string): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.createConnection(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

async function processesNamed(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // `pid (comm) state …`: a zombie (Z) is gone already.
    const m = /^\d+ \((.*)\) (\S)/.exec(stat);
    if (m?.[1] === name && m[2] !== 'Z') pids.push(Number(pid));
  }
  return pids;
}

async function runDaemon(argv: string[]): Promise<void> {
  const [bin, ...args] = argv as [string, ...string[]];
  const child = spawn(bin, args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}`);
}

async function stopPidFile(file: string): Promise<void> {
  const pid = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await until(
    `pid ${pid} to exit`,
    async () => (await fs.stat(`/proc/${pid}`).catch(() => null)) === null || undefined,
    15_000,
  ).catch(() => process.kill(pid, 'SIGKILL'));
}

const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';

export async function startLibvirtd(): Promise<LibvirtDaemon> {
  if ((await processesNamed('libvirtd')).length > 0) {
    return daemonAt(SYSTEM_SOCKET, { restart: () => Promise.resolve(), stop: () => Promise.resolve() });
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-libvirtd-'));
  const socket = path.join(dir, 'libvirt-sock');
  await fs.writeFile(
    path.join(dir, 'libvirtd.conf'),
    [
      `unix_sock_dir = "${dir}"`,
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      'unix_sock_rw_perms = "0700"',
      '',
    ].join('\n'),
  );
  const ownVirtlogd = !(await canConnect(VIRTLOGD_SOCKET));
  if (ownVirtlogd) await runDaemon(['virtlogd', '-d', '-p', path.join(dir, 'virtlogd.pid')]);
  const libvirtd = async () => {
    await runDaemon([
      'libvirtd',
      '-d',
      '-f',
      path.join(dir, 'libvirtd.conf'),
      '-p',
      path.join(dir, 'libvirtd.pid'),
    ]);
    await until('libvirtd to listen', async () => (await canConnect(socket)) || undefined, 30_000);
  };
  await libvirtd();
  return daemonAt(socket, {
    async restart() {
      await stopPidFile(path.join(dir, 'libvirtd.pid'));
      await libvirtd();
    },
    async stop() {
      await stopPidFile(path.join(dir, 'libvirtd.pid'));
      if (ownVirtlogd) await stopPidFile(path.join(dir, 'virtlogd.pid'));
      await fs.rm(dir, { recursive: true, force: true });
    },
  });
}

function daemonAt(
  socket: string,
  daemons: { restart: () => Promise<void>; stop: () => Promise<void> },
): LibvirtDaemon {
  const connect = () => LibvirtConnection.open(socket, 'qemu:///system');
  return {
    uri: socket === SYSTEM_SOCKET ? 'qemu:///system' : `qemu:///system?socket=${socket}`,
    socket,
    connect,
    restart: daemons.restart,
    async stop(leftOver) {
      const conn = await connect().catch(() => undefined);
      for (const dom of (await conn?.listDomains().catch(() => [])) ?? []) {
        const xml = (await conn?.xmlDesc(dom).catch(() => '')) ?? '';
        if (!leftOver(dom.name, xml)) continue;
        await conn?.destroy(dom).catch(() => undefined);
        await conn?.undefine(dom).catch(() => undefined);
      }
      conn?.close();
      await daemons.stop();
    },
  };
}
