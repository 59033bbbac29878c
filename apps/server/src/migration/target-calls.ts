// The source's calls to the target server's incoming-migration API, and its watch on the target meanwhile.
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, MIGRATION_PROTOCOL_VERSION, VmSchema, type Vm } from '@virtweb/protocol';
import { z } from 'zod';
import { PeerCallError, type PeerClient } from '../peers/peer-client.ts';
import {
  HandshakeAnswerSchema,
  IncomingAnswerSchema,
  IncomingStatusSchema,
  type HandshakeRequest,
  type IncomingAnswer,
  type IncomingRequest,
  type IncomingStatus,
} from './incoming-api.ts';
import { tcpUri } from '../engine/guest-migration.ts';
import { protocolMismatch, thisHost } from './protocol-version.ts';

const BASE = '/api/migrations/incoming';
/** Creating images and starting qemu on the target may take a while on a busy host. */
const CREATE_TIMEOUT_MS = 120_000;
/** The target waits up to 120 s for the stream's tail, then starts the guest. */
const FINISH_TIMEOUT_MS = 180_000;
/** Polls of the target in a row that may fail before the source gives up on it. */
const WATCH_MISSES = 3;
const WATCH_INTERVAL_MS = 1000;
/** After the target reports its qemu gone, qemu's own reason (on the source) gets this long to arrive first. */
const TARGET_FAILED_GRACE_MS = 3000;

export const targetPath = (incomingId: string): string => `${BASE}/${encodeURIComponent(incomingId)}`;
/** Where a source asks the target to delete an old copy a copying move replaces (the target checks the mark). */
export const OLD_COPIES_PATH = `${BASE}/old-copies`;

/**
 * Asks the target to receive the VM, with this host's migration protocol version.
 * @throws PeerCallError; code `migration_version_mismatch` (the target's words) when it speaks another one
 */
export function postIncoming(client: PeerClient, body: IncomingRequest): Promise<IncomingAnswer> {
  const sent = { ...body, migrationProtocol: MIGRATION_PROTOCOL_VERSION };
  return client.post(BASE, sent, IncomingAnswerSchema, CREATE_TIMEOUT_MS);
}

/**
 * Whether the target takes a migration from this host: `ok` with its version and image store id (undefined
 * from an older target), or its words why not.
 */
export type ProtocolVerdict =
  { ok: true; version: number; storeId: string | undefined } | { ok: false; refusal: string };

/**
 * Asks the target whether it speaks this host's migration protocol (`/handshake`); `peerName` names it in the
 * words for a target too old to know the question.
 * @throws PeerCallError when the target does not answer or fails otherwise
 */
export async function askProtocol(client: PeerClient, peerName: string): Promise<ProtocolVerdict> {
  const body: HandshakeRequest = {
    migrationProtocol: MIGRATION_PROTOCOL_VERSION,
    source: { hostname: os.hostname() },
  };
  try {
    const answer = await client.post(`${BASE}/handshake`, body, HandshakeAnswerSchema, 10_000);
    return { ok: true, version: answer.migrationProtocol, storeId: answer.storeId };
  } catch (err) {
    if (!(err instanceof PeerCallError)) throw err;
    if (err.code === ErrorCode.migrationVersionMismatch) {
      return { ok: false, refusal: err.peerMessage ?? err.message };
    }
    // NOTE: a target from before protocol versions (1) has no handshake route: its API answers 404.
    if (err.status === 404) {
      const target = { name: peerName, version: undefined };
      return { ok: false, refusal: protocolMismatch(target, thisHost('this host')) };
    }
    throw err;
  }
}

export function finishTarget(client: PeerClient, incomingId: string): Promise<Vm> {
  return client.post(`${targetPath(incomingId)}/finish`, {}, VmSchema, FINISH_TIMEOUT_MS);
}

/** Best effort: the target takes the half-received VM away (it also does so by itself when left alone). */
export async function abortTarget(client: PeerClient, incomingId: string): Promise<string | undefined> {
  try {
    await client.call('DELETE', targetPath(incomingId), z.undefined(), undefined, 15_000);
    return undefined;
  } catch (err) {
    if (err instanceof PeerCallError && err.status === 404) return undefined;
    return err instanceof Error ? err.message : String(err);
  }
}

/** The `tcp:host:port` of the target's answer with the host the source reaches the peer by. */
export function withHost(uri: string, host: string): string {
  const port = Number(/:(\d+)$/.exec(uri)?.[1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`the target answered an unusable address ${uri}`);
  return tcpUri(host, port);
}

/** The hostname of a peer URL without IPv6 brackets (`http://[::1]:8080` -> `::1`). */
export function peerHost(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

export type TargetVerdict = 'running' | 'not-running' | 'unknown';

/**
 * Whether the target runs the guest, when `finish` did not say so (it failed, or its answer was lost): asks
 * the incoming status, then the VM itself; `unknown` when the target does not answer before `deadlineMs`.
 * NOTE: `not-running` is only said when the target says so: the source resumes on it, and a guest must never
 * run on both hosts.
 */
export async function askTargetRuns(
  client: PeerClient,
  incoming: { incomingId: string; vmId: string },
  deadlineMs = 30_000,
  /** An offline move has arrived once the VM is defined there (stopped), not running. */
  offline = false,
): Promise<{ verdict: TargetVerdict; why: string }> {
  const deadline = Date.now() + deadlineMs;
  let why = 'no answer';
  for (;;) {
    try {
      const status = await client.get(targetPath(incoming.incomingId), IncomingStatusSchema, 5000);
      if (status.state === 'running') return { verdict: 'running', why: 'the target reports running' };
      if (status.state === 'failed' || status.state === 'aborted') {
        return { verdict: 'not-running', why: status.error ?? `the target reports ${status.state}` };
      }
      why = `the target reports ${status.state}`;
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
      if (err instanceof PeerCallError && err.status === 404) {
        // The target restarted (its incoming list is gone): its VM tells.
        const vm = await vmOn(client, incoming.vmId);
        if (vm === null) return { verdict: 'not-running', why: 'the target has no such VM' };
        const arrived = offline ? vm !== undefined && vm.state !== 'migrating' : vm?.state === 'running';
        if (arrived) return { verdict: 'running', why: `the VM is ${vm?.state ?? '?'} on the target` };
        if (vm !== undefined && vm.state !== 'migrating') {
          return { verdict: 'not-running', why: `the VM is ${vm.state} on the target` };
        }
      }
    }
    if (Date.now() > deadline) return { verdict: 'unknown', why };
    await delay(1000);
  }
}

/** The VM on the target: null when it has none, undefined when it did not answer. */
async function vmOn(client: PeerClient, vmId: string): Promise<Vm | null | undefined> {
  try {
    return await client.get(`/api/vms/${encodeURIComponent(vmId)}`, VmSchema, 5000);
  } catch (err) {
    return err instanceof PeerCallError && err.status === 404 ? null : undefined;
  }
}

/**
 * Polls the target's incoming status every second while the stream runs. `abort(reason)` is called when the
 * target stops answering (three polls in a row) or reports the incoming side failed. The polls also tell the
 * target the source is still there.
 */
export function watchTarget(
  client: PeerClient,
  incomingId: string,
  peerName: string,
  abort: (reason: string) => void,
): { stop(): void } {
  let misses = 0;
  let failedSince: number | undefined;
  const watch = { stopped: false };
  const stopped = (): boolean => watch.stopped;
  const poll = async (): Promise<void> => {
    while (!stopped()) {
      await delay(WATCH_INTERVAL_MS);
      if (stopped()) return;
      let status: IncomingStatus | undefined;
      try {
        status = await client.get(targetPath(incomingId), IncomingStatusSchema, 2000);
        misses = 0;
      } catch (err) {
        misses++;
        if (misses >= WATCH_MISSES && !stopped()) {
          abort(`${peerName} stopped answering during the migration (${errorText(err)})`);
          return;
        }
        continue;
      }
      if (status.state === 'failed' || status.state === 'aborted') {
        failedSince ??= Date.now();
        if (Date.now() - failedSince >= TARGET_FAILED_GRACE_MS && !stopped()) {
          abort(`${peerName}: ${status.error ?? `the incoming migration ${status.state}`}`);
          return;
        }
      }
    }
  };
  void poll();
  return {
    stop: () => {
      watch.stopped = true;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
