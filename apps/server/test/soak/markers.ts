// Where markers live on a guest disk and how they are written and read: from the guest's shell (raw block
// device, busybox dd) and, offline, from the image file (qemu-img dd). Sector 0 holds a header naming the image
// so the guest finds the right /dev/vdX whatever order the disks were plugged in.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Markers start at 1 MiB, one 512-byte sector each. */
export const MARKER_SECTOR = 2048;
const SECTOR = 512;
const HEADER = 'VWDISK:';
const MARKER_RE = /VWSOAK-\d+-\d+/g;

export const markerText = (seed: number, n: number): string => `VWSOAK-${seed}-${n}`;

/** Writes the header into a fresh qcow2 image (offline, before any VM has it). */
export async function writeHeader(file: string, image: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-soak-'));
  try {
    const header = Buffer.alloc(SECTOR);
    header.write(`${HEADER}${image};`, 'latin1');
    await fs.writeFile(path.join(dir, 'header'), header);
    await run('qemu-io', ['-f', 'qcow2', '-c', `write -q -s ${path.join(dir, 'header')} 0 ${SECTOR}`, file]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Shell words that set `$d` to the guest's block device whose header names `image` (empty when none). */
function findDevice(image: string): string {
  // tr keeps the header's characters; the image name is [A-Za-z0-9._-] (checked by the server).
  return (
    `d=; for x in /dev/vd?; do [ "$(head -c 64 $x 2>/dev/null | tr -cd 'A-Za-z0-9:._;-' | cut -d';' -f1)" = ` +
    `'${HEADER}${image}' ] && d=$x; done`
  );
}

/**
 * Writes `text` into marker slot `slot` and flushes it through to qemu (`conv=fsync` is an fsync of the
 * device: a FLUSH that makes qemu write its qcow2 metadata too). Prints NODEV when the disk is not there,
 * else WROTE once the flush returned. The write is O_DIRECT of one whole sector (`conv=sync` pads it): no
 * page of the guest's cache is written back with it (a restored older RAM state may hold stale pages).
 */
export function writeMarkerCommand(image: string, slot: number, text: string): string {
  return (
    `${findDevice(image)}; if [ -z "$d" ]; then echo NODEV; else printf '${text}' | dd of=$d bs=${SECTOR} ` +
    `seek=${MARKER_SECTOR + slot} oflag=direct conv=notrunc,sync,fsync 2>/dev/null && echo WROTE; fi`
  );
}

/** Reads the marker area past the guest's page cache (O_DIRECT); prints NODEV or the markers then READOK. */
export function readMarkersCommand(image: string, slots: number): string {
  return (
    `${findDevice(image)}; if [ -z "$d" ]; then echo NODEV; else dd if=$d bs=${SECTOR} skip=${MARKER_SECTOR} ` +
    `count=${Math.max(1, slots)} iflag=direct 2>/dev/null >/tmp/m && strings -n 8 /tmp/m && echo READOK; fi`
  );
}

/** True when the shell printed `word` on a line of its own (the echo of the typed command does not count). */
export function printed(out: string | undefined, word: string): boolean {
  return out?.split(/\r?\n/).some((line) => line.trim() === word) === true;
}

export function parseMarkers(text: string): Set<string> {
  return new Set(text.match(MARKER_RE) ?? []);
}

/** The markers in an image file (read with qemu-img, shared: `-U`, for a file no qemu writes to any more). */
export async function readMarkersOffline(file: string, format: string, slots: number): Promise<Set<string>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-soak-'));
  try {
    const out = path.join(dir, 'area.raw');
    // NOTE: qemu-img 7.2's dd refuses skip= ("cannot skip to specified offset"): read from sector 0.
    const count = MARKER_SECTOR + Math.max(1, slots);
    await run('qemu-img', [
      'dd',
      '-U',
      '-f',
      format,
      '-O',
      'raw',
      `bs=${SECTOR}`,
      `count=${count}`,
      `if=${file}`,
      `of=${out}`,
    ]);
    const area = (await fs.readFile(out)).subarray(MARKER_SECTOR * SECTOR);
    return parseMarkers(area.toString('latin1'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
