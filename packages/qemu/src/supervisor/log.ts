// qemu.log is appended across runs; each start writes a marker line so a tail shows only the current run.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

const MARKER_PREFIX = '=== virtweb: starting qemu';
const TAIL_BYTES = 64 * 1024;
const DEFAULT_TAIL_LINES = 20;

// NOTE: the run dir belongs to qemu's (unprivileged) user, so qemu.log may have been swapped for a symlink or a
// FIFO there: the server, maybe root, opens it without following links and without blocking.
const { O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;
const APPEND_FLAGS = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK;
const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** Opens qemu.log for appending (0600) and writes this run's start marker. */
export async function openLogForRun(logPath: string): Promise<FileHandle> {
  const fh = await open(logPath, APPEND_FLAGS, 0o600);
  try {
    await fh.write(`${MARKER_PREFIX} at ${new Date().toISOString()} ===\n`);
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/**
 * The last `maxLines` lines qemu wrote since the latest start marker ('' when there are none or no log).
 * Reads at most the last 64 KiB. Never rejects: an unreadable log has no tail.
 */
export async function readLogTail(logPath: string, maxLines = DEFAULT_TAIL_LINES): Promise<string> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(logPath, READ_FLAGS);
    const { size } = await fh.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    let text = buf.toString('utf8');
    const marker = text.lastIndexOf(MARKER_PREFIX);
    if (marker !== -1) text = text.slice(text.indexOf('\n', marker) + 1);
    const lines = text.replace(/\n+$/, '').split('\n');
    // A partial first line (cut by the 64 KiB window) is dropped unless it is all there is.
    if (marker === -1 && length < size && lines.length > 1) lines.shift();
    return lines.slice(-maxLines).join('\n');
  } catch {
    return '';
  } finally {
    await fh?.close();
  }
}
