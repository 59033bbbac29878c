// Who qemu runs as: never root. A root server runs qemu as an unprivileged user (VIRTWEB_QEMU_USER, default
// virtweb-qemu, made by scripts/setup), and so does a service that is not root but was given CAP_SETUID and
// CAP_SETGID (the installed virtweb.service); any other server runs qemu as itself.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { ErrorCode, type QemuConfinement } from '@virtweb/protocol';
import { QEMU_SANDBOX, type QemuIdentity } from '@virtweb/qemu';
import { Conflict } from '../domain/errors.ts';

const execFileP = promisify(execFile);

export type QemuUserStatus =
  /** The server can switch no user: qemu runs as the server's own user, no spawn identity needed. */
  | { kind: 'server'; name: string; uid: number; gid: number }
  /** The server is root or may switch users: qemu is spawned with this uid and (primary) gid. */
  | { kind: 'user'; name: string; uid: number; gid: number }
  | { kind: 'unusable'; name: string; problem: string };

/** A passwd entry's uid and gid (`getent passwd`, so NSS users count too); undefined when there is none. */
export async function lookupUser(name: string): Promise<QemuIdentity | undefined> {
  try {
    const { stdout } = await execFileP('getent', ['passwd', name], { timeout: 10_000 });
    const [, , uid, gid] = stdout.split('\n')[0]?.split(':') ?? [];
    const ids = { uid: Number(uid), gid: Number(gid) };
    return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
  } catch {
    return undefined; // getent exits 2 for an unknown name
  }
}

const CAP_SETGID = 6n;
const CAP_SETUID = 7n;

/** Whether this process holds CAP_SETUID and CAP_SETGID (effective): a service given them may start qemu as another user. */
export function mayChangeIds(status = readStatus()): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex === undefined) return false;
  const eff = BigInt(`0x${hex}`);
  return ((eff >> CAP_SETUID) & 1n) === 1n && ((eff >> CAP_SETGID) & 1n) === 1n;
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

/** The user qemu runs as, looked up until it exists (scripts/setup may create it while the server runs). */
export class QemuUser {
  private found: QemuUserStatus | undefined;

  constructor(
    /** VIRTWEB_QEMU_USER. */
    readonly configured: string,
    private readonly serverUid: number = process.getuid?.() ?? 0,
    private readonly lookup: (name: string) => Promise<QemuIdentity | undefined> = lookupUser,
    private readonly switchesUsers: boolean = serverUid === 0 || mayChangeIds(),
  ) {}

  async status(): Promise<QemuUserStatus> {
    if (this.found) return this.found;
    if (!this.switchesUsers) {
      this.found = {
        kind: 'server',
        name: os.userInfo().username,
        uid: this.serverUid,
        gid: process.getgid?.() ?? this.serverUid,
      };
      return this.found;
    }
    const name = this.configured;
    const ids = await this.lookup(name);
    if (ids === undefined) {
      return {
        kind: 'unusable',
        name,
        problem:
          `qemu's user ${name} does not exist, and virtweb never runs qemu as root: run scripts/setup ` +
          `(it creates ${name}), or set VIRTWEB_QEMU_USER to an existing unprivileged user`,
      };
    }
    if (ids.uid === 0) {
      return {
        kind: 'unusable',
        name,
        problem: `VIRTWEB_QEMU_USER=${name} is uid 0: qemu must run as an unprivileged user, never as root`,
      };
    }
    this.found = { kind: 'user', name, ...ids };
    return this.found;
  }

  /**
   * The uid and gid to spawn qemu with; undefined when the server is not root (qemu runs as the server).
   * @throws Conflict `qemu_user` when the user is missing (the message names the fix)
   */
  async identity(): Promise<QemuIdentity | undefined> {
    const s = await this.status();
    if (s.kind === 'unusable') throw new Conflict(ErrorCode.qemuUser, `cannot start qemu: ${s.problem}`);
    return s.kind === 'user' ? { uid: s.uid, gid: s.gid } : undefined;
  }

  /** For the host page. */
  async describe(): Promise<QemuConfinement> {
    const s = await this.status();
    const base = { user: s.name, serverUser: s.kind === 'server', sandbox: QEMU_SANDBOX };
    return s.kind === 'unusable'
      ? { ...base, uid: null, gid: null, problem: s.problem }
      : { ...base, uid: s.uid, gid: s.gid };
  }
}
