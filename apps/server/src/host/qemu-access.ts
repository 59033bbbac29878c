// Files made accessible to qemu's unprivileged user at the moment qemu opens them, as libvirt's DAC driver
// does: before qemu starts, and before every QMP command that makes it open a file.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode } from '@virtweb/protocol';
import { qemuEnvironment, type QemuIdentity } from '@virtweb/qemu';
import { Conflict } from '../domain/errors.ts';
import type { QemuUser } from './qemu-user.ts';

const execFileP = promisify(execFile);

/** What qemu is about to open. Paths outside the data dir are left alone (OVMF's code is world-readable). */
export interface QemuFiles {
  /** Opened read-write: disks, the UEFI variable store. */
  readWrite?: readonly string[];
  /** Opened read-only: the CD, kernel and initrd, backing files. */
  readOnly?: readonly string[];
  /** Places qemu must reach (its run dir, a socket dir): only the directories above them get search. */
  reach?: readonly string[];
}

/**
 * NOTE: POSIX ACL entries for qemu's user (`setfacl -m u:<uid>:...`, spawned with argv), not chown: files stay
 * root's, read-only files get `r` only, and directories get search (`x`) only, never read (no listing the
 * data dir). The data dir itself stays 0700. A later chmod (e.g. of the data dir at server start) narrows the
 * ACL mask and so takes the entry's effect away again, which is why grants are made at every use, not once.
 * Grants are not revoked when a guest stops: every guest's qemu runs as the same user anyway, so they could not
 * keep one guest's qemu from another's files (libvirt needs per-guest SELinux/AppArmor labels for that).
 */
export class QemuAccess {
  /** Set once qemu's user could reach the data dir (the directories above it are not ours to change). */
  private reachChecked = false;

  constructor(
    readonly user: QemuUser,
    private readonly dataDir: string,
  ) {}

  /**
   * Gives qemu's user what it needs to open `files`. Nothing to do when qemu runs as the server's own user.
   * @throws Conflict `qemu_user` when the user is missing, setfacl is not installed or fails, or a
   *   directory above the data dir does not let the user pass
   */
  async grant(files: QemuFiles): Promise<void> {
    const id = await this.user.identity();
    if (id === undefined) return;
    const inside = (list: readonly string[] | undefined) =>
      (list ?? []).map((p) => path.resolve(p)).filter((p) => this.isInside(p));
    const readWrite = inside(files.readWrite);
    const readOnly = inside(files.readOnly).filter((p) => !readWrite.includes(p));
    const dirs = new Set<string>();
    for (const p of [...readWrite, ...readOnly, ...inside(files.reach)]) {
      for (let d = path.dirname(p); this.isInside(d); d = path.dirname(d)) dirs.add(d);
    }
    await this.setfacl(id, 'x', await throughGroupNot(id, [...dirs]));
    await this.setfacl(id, 'rw', readWrite);
    await this.setfacl(id, 'r', readOnly);
    if (!this.reachChecked) await this.checkReach(id);
  }

  /**
   * Host device nodes qemu opens itself (a passed-through USB device's usbfs node): read-write for qemu's
   * user. Only `/dev/bus/usb/BBB/DDD` nodes that exist are granted. Nothing to do when qemu runs as the server's user.
   * @throws Conflict `qemu_user` when setfacl fails
   */
  async grantDevices(nodes: readonly string[]): Promise<void> {
    const id = await this.user.identity();
    if (id === undefined) return;
    const usbfs = nodes.filter((n) => /^\/dev\/bus\/usb\/\d{3}\/\d{3}$/.test(n));
    // A node missing from /dev (unplugged meanwhile, a container without usbfs): qemu cannot open it either.
    const present = await Promise.all(
      usbfs.map((n) =>
        fs.access(n).then(
          () => n,
          () => undefined,
        ),
      ),
    );
    await this.setfacl(
      id,
      'rw',
      present.filter((n) => n !== undefined),
    );
  }

  /**
   * Makes files or directories the server created for qemu alone (a socket dir, a probe's temp dir) belong
   * to qemu's user. Nothing to do when qemu runs as the server's own user.
   */
  async handOver(paths: readonly string[]): Promise<QemuIdentity | undefined> {
    const id = await this.user.identity();
    if (id === undefined) return undefined;
    for (const p of paths) await fs.chown(p, id.uid, id.gid);
    return id;
  }

  /**
   * Whether the user qemu runs as may read and write `file` (a device node such as /dev/kvm or /dev/net/tun).
   * Asked of the kernel as that user (`test -r -w`), so groups and ACLs count as they will for qemu.
   */
  async canReadWrite(file: string): Promise<boolean> {
    const s = await this.user.status();
    if (s.kind === 'unusable') return false;
    if (s.kind === 'user') return testAs(s, ['-r', file, '-a', '-w', file]);
    return fs.access(file, fs.constants.R_OK | fs.constants.W_OK).then(
      () => true,
      () => false,
    );
  }

  private isInside(p: string): boolean {
    const rel = path.relative(this.dataDir, p);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  }

  private async setfacl(id: QemuIdentity, perms: string, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      await execFileP('setfacl', ['-m', `u:${id.uid}:${perms}`, ...paths], { timeout: 10_000 });
    } catch (err) {
      throw grantFailed(err, paths);
    }
  }

  /** The directories above the data dir are the host's: qemu's user must be able to pass them already. */
  private async checkReach(id: QemuIdentity): Promise<void> {
    if (await testAs(id, ['-x', this.dataDir])) {
      this.reachChecked = true;
      return;
    }
    // The highest directory it cannot pass, right below one it can: the one to open up.
    let blocking = this.dataDir;
    for (let d = path.dirname(blocking); !(await testAs(id, ['-x', d])); d = path.dirname(d)) {
      blocking = d;
      if (d === path.dirname(d)) break;
    }
    const name = this.user.configured;
    throw new Conflict(
      ErrorCode.qemuUser,
      `qemu's user ${name} cannot reach the data dir ${this.dataDir}: ${blocking} does not let it pass. ` +
        `Allow passing only (setfacl -m u:${name}:x ${blocking}; scripts/setup does this), or put ` +
        'VIRTWEB_DATA_DIR elsewhere',
    );
  }
}

/** `test <args>` run as `id`: true when it exits 0. */
async function testAs(id: QemuIdentity, args: string[]): Promise<boolean> {
  try {
    await execFileP('test', args, { uid: id.uid, gid: id.gid, env: qemuEnvironment(), timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function grantFailed(err: unknown, paths: string[]): Conflict {
  const e = err as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOENT') {
    return new Conflict(
      ErrorCode.qemuUser,
      "setfacl is not installed: install Debian's acl package (scripts/setup does); qemu's user needs it " +
        'to open the guest files',
    );
  }
  const why = e.stderr?.trim() || e.message;
  return new Conflict(ErrorCode.qemuUser, `cannot give qemu's user access to ${paths.join(', ')}: ${why}`);
}

/**
 * The directories qemu's user cannot pass through its group already.
 * NOTE: a named-user ACL entry outranks the group entry: `u:qemu:x` on a run dir whose group (qemu's) has rwx
 * would take qemu's right to create its pidfile and sockets there away.
 */
async function throughGroupNot(id: QemuIdentity, dirs: string[]): Promise<string[]> {
  const stats = await Promise.all(dirs.map((d) => fs.stat(d).catch(() => undefined)));
  return dirs.filter((_, i) => {
    const st = stats[i];
    return !(st && st.gid === id.gid && (st.mode & 0o070) === 0o070);
  });
}
