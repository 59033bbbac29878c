import { spawn } from 'node:child_process';
import { escapeOptValue, QemuImgError } from '@virtweb/qemu';
import type { QmpBlockImageInfo } from '@virtweb/qmp';

/** An internal snapshot as qemu-img's JSON and QMP's image info both spell it. */
export type SnapshotInfo = NonNullable<QmpBlockImageInfo['snapshots']>[number];

/** One disk image of a stopped VM: its path and qemu format (given with -f: raw images are never probed). */
export interface OfflineDisk {
  path: string;
  format: string;
}

/**
 * The internal snapshots of an image: `qemu-img info --output=json -U` (`-U`: readable even while another
 * process holds the image lock). Formats without internal snapshots have none.
 * @throws QemuImgError
 */
export async function listImageSnapshots(qemuImg: string, disk: OfflineDisk): Promise<SnapshotInfo[]> {
  const out = await run(qemuImg, ['info', '--output=json', '-U', '-f', disk.format, disk.path]);
  const parsed = JSON.parse(out) as { snapshots?: SnapshotInfo[] };
  return parsed.snapshots ?? [];
}

/**
 * `qemu-img snapshot -c|-a|-d <name>`: create (disk-only), apply or delete an internal snapshot.
 * @throws QemuImgError with qemu-img's words, e.g. "Could not create snapshot 'x': -95 (Operation not supported)".
 */
export async function imageSnapshot(
  qemuImg: string,
  op: 'create' | 'apply' | 'delete',
  name: string,
  disk: OfflineDisk,
): Promise<void> {
  const flag = { create: '-c', apply: '-a', delete: '-d' }[op];
  // NOTE: `qemu-img snapshot` has no -f (qemu 7.2); --image-opts names the driver, so nothing is probed.
  const opts = `driver=${disk.format},file.driver=file,file.filename=${escapeOptValue(disk.path)}`;
  await run(qemuImg, ['snapshot', '--image-opts', flag, name, opts]);
}

/** What `qemu-img check` finds in a qcow2: corruptions (qemu will refuse or damage it) and leaked clusters. */
export interface ImageCheck {
  corruptions: number;
  leaks: number;
}

/**
 * `qemu-img check --output=json` of an image nothing else has open (read-only: no `-r`).
 * @throws QemuImgError when the check itself cannot run to its end (exit 1)
 */
export async function checkImage(qemuImg: string, disk: OfflineDisk): Promise<ImageCheck> {
  // NOTE: qemu-img check exits 2 when it finds corruptions and 3 for leaks only; both still print the JSON.
  const out = await run(qemuImg, ['check', '--output=json', '-f', disk.format, disk.path], [0, 2, 3]);
  const parsed = JSON.parse(out) as { corruptions?: number; leaks?: number };
  return { corruptions: parsed.corruptions ?? 0, leaks: parsed.leaks ?? 0 };
}

/** Runs qemu-img with an argv array (never a shell); resolves with stdout when it exits with one of `ok`. */
function run(binary: string, args: string[], ok: readonly number[] = [0]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => {
      reject(
        new QemuImgError(`cannot run ${binary}: ${cause.message}`, { args, exitCode: null, stderr: '' }),
      );
    });
    child.on('close', (exitCode, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (exitCode !== null && ok.includes(exitCode)) {
        resolve(Buffer.concat(out).toString('utf8'));
        return;
      }
      const why = stderr === '' ? `exit ${exitCode ?? signal ?? '?'}` : stderr.replaceAll('\n', ' ');
      reject(new QemuImgError(why, { args, exitCode, signal, stderr }));
    });
  });
}
