// The tap of a bridged guest, made by the server: qemu's sandbox forbids running qemu-bridge-helper.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';

const execFileP = promisify(execFile);

/** `vw<VM id><NIC slot>`: 15 characters, Linux's limit; one per bridged NIC, the same across restarts. */
export function bridgeTapName(vmId: string, slot: number): string {
  return `vw${vmId}${slot}`;
}

/**
 * The taps this module makes: hidden from the taps a user can pick for `tap` mode. `vw<VM id>` without a slot
 * is the one tap an older server made per guest (still removed with the guest's others).
 */
export const BRIDGE_TAP = /^vw[0-9a-f]{12}[0-7]?$/;

/**
 * NOTE: what qemu-bridge-helper did, done before qemu starts: a persistent tap that qemu's user may attach to
 * (`ip tuntap add ... user <uid>`; qemu opens /dev/net/tun and TUNSETIFF's it by name, which needs that
 * ownership and /dev/net/tun read-write for the user), enslaved to the bridge and up. qemu gets it as
 * `-netdev tap,ifname=...,script=no,downscript=no`. A persistent tap outlives qemu: removed when qemu exits,
 * and when a dead guest is found at server start. Operations on one name run one after the other, so a
 * removal after an exit never hits the tap of the next start.
 */
export class BridgeTaps {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly sysClassNet = '/sys/class/net') {}

  /**
   * (Re)creates the tap for NIC `slot` of `vmId` on `bridge`, owned by `uid`.
   * @returns the tap's name. @throws Conflict with `ip`'s words when it cannot be made
   */
  create(vmId: string, slot: number, bridge: string, uid: number): Promise<string> {
    const tap = bridgeTapName(vmId, slot);
    return this.queued(tap, async () => {
      if (await this.exists(tap)) await ip(['link', 'delete', 'dev', tap]).catch(() => undefined);
      try {
        await ip(['tuntap', 'add', 'dev', tap, 'mode', 'tap', 'user', String(uid)]);
        await ip(['link', 'set', 'dev', tap, 'master', bridge, 'up']);
      } catch (err) {
        await ip(['link', 'delete', 'dev', tap]).catch(() => undefined);
        const why = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        throw new Conflict(
          ErrorCode.conflict,
          `cannot connect the guest to bridge ${bridge}: making its tap ${tap} failed (${why}); the server ` +
            'needs root (CAP_NET_ADMIN) for bridged guests',
        );
      }
      return tap;
    });
  }

  /** Removes the tap of NIC `slot` of `vmId` if there is one. Never rejects. */
  removeOne(vmId: string, slot: number): Promise<void> {
    return this.delete(bridgeTapName(vmId, slot));
  }

  /** Removes every tap of `vmId` (each NIC's, and the one of an older server). Never rejects. */
  async remove(vmId: string): Promise<void> {
    const names = await fs.readdir(this.sysClassNet).catch(() => [] as string[]);
    const mine = names.filter((n) => BRIDGE_TAP.test(n) && n.slice(2, 14) === vmId);
    await Promise.all(mine.map((n) => this.delete(n)));
  }

  private delete(tap: string): Promise<void> {
    return this.queued(tap, async () => {
      if (await this.exists(tap)) await ip(['link', 'delete', 'dev', tap]).catch(() => undefined);
    }).catch(() => undefined);
  }

  private exists(name: string): Promise<boolean> {
    return fs.access(path.join(this.sysClassNet, name)).then(
      () => true,
      () => false,
    );
  }

  private queued<T>(name: string, op: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(name) ?? Promise.resolve()).then(op, op);
    const settled = run.catch(() => undefined);
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return run;
  }
}

async function ip(args: string[]): Promise<void> {
  await execFileP('ip', args, { timeout: 10_000 });
}
