// Whether a qcow2 image holds what one of its internal snapshots holds, read from the image's own tables: after
// a revert failed part-way (or qemu died inside it), the answer says which disks were rolled back.
import fs from 'node:fs/promises';

const MAGIC = 0x514649fb; // "QFI\xfb"
/** The cluster offset bits of an L1 entry (bits 9-55); bit 63 (COPIED) changes with refcounts, not contents. */
const OFFSET_MASK = 0x00fffffffffffe00n;
/** Far more than any real image's L1 table (one entry maps 2^(2*cluster_bits-3) bytes). */
const MAX_L1_ENTRIES = 1 << 22;
const MAX_SNAPSHOTS = 65536;

interface Header {
  size: bigint;
  l1Size: number;
  l1Offset: number;
  snapshots: number;
  snapshotsOffset: number;
}

interface SnapshotEntry {
  name: string;
  l1Size: number;
  l1Offset: number;
  /** From the extra data (qemu >= 1.x writes it); undefined in very old images. */
  diskSize: bigint | undefined;
}

/**
 * True when the image's active L1 table maps every cluster where snapshot `name`'s does (and its size is the
 * snapshot's): the disk reads as the snapshot. That is so right after a revert (`snapshot-load` or
 * `qemu-img snapshot -a` copies the snapshot's table) or a snapshot with no write since. False when it differs
 * or the image has no such snapshot.
 * @throws Error when the file is not a qcow2 image or its tables cannot be read.
 */
export async function readsAsSnapshot(file: string, name: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const header = parseHeader(await read(fh, 0, 72));
    const snap = await findSnapshot(fh, header, name);
    if (!snap) return false;
    if (snap.diskSize !== undefined && snap.diskSize !== header.size) return false;
    const active = await l1(fh, header.l1Offset, header.l1Size);
    const saved = await l1(fh, snap.l1Offset, snap.l1Size);
    for (let i = 0; i < Math.max(active.length, saved.length); i++) {
      if ((active[i] ?? 0n) !== (saved[i] ?? 0n)) return false;
    }
    return true;
  } finally {
    await fh.close();
  }
}

function parseHeader(buf: Buffer): Header {
  if (buf.readUInt32BE(0) !== MAGIC) throw new Error('not a qcow2 image');
  return {
    size: buf.readBigUInt64BE(24),
    l1Size: buf.readUInt32BE(36),
    l1Offset: safeOffset(buf.readBigUInt64BE(40)),
    snapshots: buf.readUInt32BE(60),
    snapshotsOffset: safeOffset(buf.readBigUInt64BE(64)),
  };
}

async function findSnapshot(
  fh: fs.FileHandle,
  header: Header,
  name: string,
): Promise<SnapshotEntry | undefined> {
  if (header.snapshots > MAX_SNAPSHOTS) throw new Error(`implausible snapshot count ${header.snapshots}`);
  let at = header.snapshotsOffset;
  for (let i = 0; i < header.snapshots; i++) {
    const fixed = await read(fh, at, 40);
    const idSize = fixed.readUInt16BE(12);
    const nameSize = fixed.readUInt16BE(14);
    const extraSize = fixed.readUInt32BE(36);
    const rest = await read(fh, at + 40, extraSize + idSize + nameSize);
    const entry: SnapshotEntry = {
      name: rest.toString('utf8', extraSize + idSize, extraSize + idSize + nameSize),
      l1Offset: safeOffset(fixed.readBigUInt64BE(0)),
      l1Size: fixed.readUInt32BE(8),
      diskSize: extraSize >= 16 ? rest.readBigUInt64BE(8) : undefined,
    };
    if (entry.name === name) return entry;
    // Entries are padded to a multiple of 8 bytes.
    at += Math.ceil((40 + extraSize + idSize + nameSize) / 8) * 8;
  }
  return undefined;
}

async function l1(fh: fs.FileHandle, offset: number, entries: number): Promise<bigint[]> {
  if (entries > MAX_L1_ENTRIES) throw new Error(`implausible L1 table size ${entries}`);
  const buf = await read(fh, offset, entries * 8);
  return Array.from({ length: entries }, (_, i) => buf.readBigUInt64BE(i * 8) & OFFSET_MASK);
}

async function read(fh: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw new Error(`the image ends before byte ${position + length}`);
  return buf;
}

function safeOffset(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`implausible offset ${v}`);
  return Number(v);
}
