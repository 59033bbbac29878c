import crypto from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import {
  ErrorCode,
  HostInfoSchema,
  ServerIdentitySchema,
  VmSchema,
  type HostGuests,
  type Peer,
  type PeerCertificate,
  type PeerCapacity,
  type PeerHealth,
  type ServerIdentity,
  type VmAction,
  type Vm,
} from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import {
  Conflict,
  DomainError,
  Forbidden,
  Invalid,
  NotFound,
  PeerRefused,
  Unavailable,
} from '../domain/errors.ts';
import type { ServerName } from '../host/server-name.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';
import { MAX_LIST_ANSWER_BYTES } from './peer-answer.ts';
import { PeerCallError, PeerClient } from './peer-client.ts';
import type { PeerRecord, PeersRepo } from './peers-repo.ts';
import { presentedCertificate } from './pinned-tls.ts';

const VmListSchema = z.array(VmSchema);
const SERVER_ID_KEY = 'server_id';
/** How often peers are asked for their health and capacity. */
export const PEER_POLL_MS = 15_000;

/** Other virtweb servers: registration (checked against the peer), health and capacity, guests by host. */
export class PeerService {
  private readonly health = new Map<string, PeerHealth>();
  private readonly capacity = new Map<string, PeerCapacity>();
  private timer: NodeJS.Timeout | undefined;
  private readonly serverId: string;

  constructor(
    private readonly repo: PeersRepo,
    settings: SettingsRepo,
    private readonly bus: EventBus,
    private readonly localVms: () => Vm[],
    private readonly name: ServerName,
  ) {
    let id = settings.get(SERVER_ID_KEY);
    if (id === undefined) {
      id = crypto.randomBytes(8).toString('hex');
      settings.set(SERVER_ID_KEY, id);
    }
    this.serverId = id;
  }

  /** Who this server is (`GET /api/peers/self`): its id, hostname and display name (renamable). */
  get identity(): ServerIdentity {
    return { serverId: this.serverId, hostname: os.hostname(), name: this.name.get() };
  }

  list(): Peer[] {
    return this.repo.list().map((p) => this.toPeer(p));
  }

  /** A client for peer `id` (pinned to its certificate). @throws NotFound */
  client(id: string): PeerClient {
    const rec = this.repo.get(id);
    if (!rec) throw new NotFound(`peer ${id}`);
    return clientOf(rec);
  }

  /**
   * The certificate a peer URL presents (the first step of adding an https:// peer: the user compares its
   * fingerprint with the peer's Host page); an http:// URL has none.
   * @throws Invalid (nothing answers TLS there)
   */
  async certificate(url: string): Promise<PeerCertificate> {
    const target = new URL(url);
    if (target.protocol === 'http:') return { url, fingerprint: null, names: [], validTo: '' };
    try {
      return { url, ...(await presentedCertificate(target)) };
    } catch (err) {
      const message = `${url} presented no certificate: ${errorText(err)}`;
      throw new Invalid(message, [{ path: 'url', message: 'no TLS server answered at this URL' }]);
    }
  }

  /**
   * Registers a peer after checking that it answers (an https:// one with the certificate of `fingerprint`),
   * takes the token and is not this server.
   * @throws Invalid (unreachable, token refused, this server, no fingerprint for https://), Conflict (already
   *   registered, or the peer presents another certificate than `fingerprint`)
   */
  async add(url: string, token: string, fingerprint?: string): Promise<Peer> {
    if (this.repo.byUrl(url)) throw new Conflict(ErrorCode.exists, `${url} is already a peer`);
    const https = new URL(url).protocol === 'https:';
    if (https && fingerprint === undefined) {
      throw new Invalid(`confirm the certificate of ${url} first (POST /api/peers/certificate shows it)`, [
        { path: 'fingerprint', message: 'the fingerprint of the peer’s certificate, as confirmed' },
      ]);
    }
    if (!https && fingerprint !== undefined) {
      throw new Invalid(`${url} is plain HTTP: there is no certificate to pin`, [
        { path: 'fingerprint', message: 'only for https:// peers' },
      ]);
    }
    const client = new PeerClient(url, token, fingerprint);
    let who: ServerIdentity;
    try {
      who = await client.get('/api/peers/self', ServerIdentitySchema);
    } catch (err) {
      if (err instanceof PeerCallError && err.kind === 'unauthorized')
        throw new Invalid(err.message, [{ path: 'token', message: 'the peer refused this token' }]);
      if (err instanceof PeerCallError && err.kind === 'certificate')
        throw new Conflict(ErrorCode.peerCertificateMismatch, err.message);
      const message = err instanceof Error ? err.message : String(err);
      throw new Invalid(message, [{ path: 'url', message: 'no virtweb server answered at this URL' }]);
    }
    if (who.serverId === this.identity.serverId) {
      throw new Invalid(`${url} is this server`, [{ path: 'url', message: 'that is this server itself' }]);
    }
    const same = this.repo.list().find((p) => p.serverId === who.serverId);
    if (same) throw new Conflict(ErrorCode.exists, `${url} is the same server as peer ${same.url}`);
    const rec: PeerRecord = {
      id: crypto.randomBytes(6).toString('hex'),
      name: who.name ?? who.hostname,
      serverId: who.serverId,
      url,
      token,
      fingerprint,
      addedAt: new Date().toISOString(),
    };
    this.repo.insert(rec);
    await this.check(rec);
    this.publish();
    return this.toPeer(rec);
  }

  /** @throws NotFound */
  remove(id: string): void {
    if (!this.repo.delete(id)) throw new NotFound(`peer ${id}`);
    this.health.delete(id);
    this.capacity.delete(id);
    this.publish();
  }

  /** The guests of this host and of every peer (a peer that does not answer shows its error). */
  async guestsByHost(): Promise<HostGuests[]> {
    const local: HostGuests = { host: 'local', name: this.name.get(), vms: this.localVms() };
    const remote = await Promise.all(
      this.repo.list().map(async (p): Promise<HostGuests> => {
        try {
          const vms = await clientOf(p).get('/api/vms', VmListSchema, 3000, MAX_LIST_ANSWER_BYTES);
          return { host: p.id, name: p.name, url: p.url, vms };
        } catch (err) {
          return { host: p.id, name: p.name, url: p.url, vms: [], error: errorText(err) };
        }
      }),
    );
    return [local, ...remote];
  }

  /**
   * Runs a lifecycle action on a peer's guest.
   * @throws NotFound (no such peer), PeerRefused (the peer's own refusal), Forbidden (the peer's token may not),
   *   Unavailable (the peer cannot be reached or answered otherwise)
   */
  async action(peerId: string, vmId: string, action: VmAction): Promise<Vm> {
    try {
      return await this.client(peerId).post(`/api/vms/${encodeURIComponent(vmId)}/${action}`, {}, VmSchema);
    } catch (err) {
      throw relayError(err);
    }
  }

  /** Starts polling the peers' health (and checks them once now). */
  start(): void {
    void this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), PEER_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async checkAll(): Promise<void> {
    const before = JSON.stringify(this.list());
    await Promise.all(this.repo.list().map((p) => this.check(p)));
    if (JSON.stringify(this.list()) !== before) this.publish();
  }

  private async check(p: PeerRecord): Promise<void> {
    const client = clientOf(p);
    const started = performance.now();
    try {
      const [host, vms] = await Promise.all([
        client.get('/api/host', HostInfoSchema),
        client.get('/api/vms', VmListSchema, undefined, MAX_LIST_ANSWER_BYTES),
      ]);
      const live = vms.filter((v) => v.pid !== undefined);
      // A peer renamed there is renamed here (an older peer has no display name: its hostname stays).
      const name = host.name ?? p.name;
      if (name !== p.name) this.repo.rename(p.id, name);
      this.capacity.set(p.id, {
        hostname: host.hostname,
        qemuVersion: host.qemu.version,
        cpus: host.cpus,
        memoryBytes: host.memoryBytes,
        guestMemoryBytes: live.reduce((sum, v) => sum + v.memoryMiB * 2 ** 20, 0),
        guests: vms.length,
        runningGuests: live.length,
      });
      this.health.set(p.id, {
        status: 'ok',
        checkedAt: new Date().toISOString(),
        latencyMs: Math.round(performance.now() - started),
      });
    } catch (err) {
      this.health.set(p.id, {
        status: err instanceof PeerCallError ? err.kind : 'error',
        message: errorText(err),
        checkedAt: new Date().toISOString(),
      });
    }
  }

  private publish(): void {
    this.bus.publish({ type: 'peers.changed', peers: this.list() });
  }

  private toPeer(p: PeerRecord): Peer {
    const capacity = this.capacity.get(p.id);
    return {
      id: p.id,
      name: p.name,
      url: p.url,
      ...(p.fingerprint === undefined ? {} : { fingerprint: p.fingerprint }),
      addedAt: p.addedAt,
      health: this.health.get(p.id) ?? { status: 'unknown' },
      ...(capacity ? { capacity } : {}),
    };
  }
}

const clientOf = (p: PeerRecord): PeerClient => new PeerClient(p.url, p.token, p.fingerprint);

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A peer's refusal keeps its status (4xx) and code (PeerRefused); not reaching it is Unavailable. */
function relayError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof PeerCallError) {
    if (err.kind === 'certificate') return new Conflict(ErrorCode.peerCertificateMismatch, err.message);
    if (err.status === 403) {
      const hint =
        'lifecycle actions from here need a token with the admin scope there: add the peer again with one';
      return new Forbidden(ErrorCode.forbidden, `${err.message}; ${hint}`);
    }
    if (err.kind === 'error' && err.status !== undefined && err.status < 500)
      return new PeerRefused(err.status, err.code ?? ErrorCode.conflict, err.message);
    return new Unavailable('peer_failed', err.message);
  }
  return new Unavailable('peer_failed', errorText(err));
}
