// The unix socket between qemu and zstd for save (we listen, qemu connects) and restore (qemu listens).
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QemuIdentity } from '@virtweb/qemu';

/**
 * A fresh private directory for one stream socket, and its removal. With `owner` (qemu's user when qemu does
 * not run as the server's) the directory is that user's: qemu creates its listening socket there (restore),
 * or connects to ours (save; {@link listenOnce} gives it the socket too).
 */
export async function streamSocketDir(
  parent?: string,
  owner?: QemuIdentity,
): Promise<{ socketPath: string; remove: () => Promise<void> }> {
  // NOTE: unix socket paths are limited to 107 bytes: a short parent (os.tmpdir()) by default.
  const dir = await mkdtemp(join(parent ?? tmpdir(), 'vw-stream-'));
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  return { socketPath: join(dir, 'stream.sock'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Listens on `socketPath` for exactly one connection (later ones are refused). NOTE: connect() needs write
 * permission on the socket file, which the server creates: with `owner` it becomes that user's.
 */
export async function listenOnce(
  socketPath: string,
  owner?: QemuIdentity,
): Promise<{ server: Server; accepted: Promise<Socket> }> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => (accept = resolve));
  let taken = false;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (taken) {
      socket.destroy();
      return;
    }
    taken = true;
    accept(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  server.on('error', () => undefined);
  if (owner !== undefined) await chown(socketPath, owner.uid, owner.gid);
  return { server, accepted };
}

/** Resolves when `promise` settles or after `ms` (then with `undefined`). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
