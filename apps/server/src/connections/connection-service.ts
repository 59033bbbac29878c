import crypto from 'node:crypto';
import { ErrorCode, type Connection, type CreateConnectionRequest, type HostGuest } from '@virtweb/protocol';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { Engines } from '../engine/engines.ts';
import type { ConnectionRecord, ConnectionsRepo } from '../store/connections-repo.ts';

/** Builds the engine of a connection's URI (main.ts gives the libvirt engine's constructor). */
export type EngineFactory = (uri: string) => Engine;

/** The guests of a connection that virtweb manages, counted by their records (they may be stopped). */
export type GuestsOnConnection = (uri: string) => string[];

/**
 * Connections to libvirt hosts: each one an engine of the server's `Engines` from when it is added (or the
 * server starts) until it is removed. A connection with virtweb guests on it cannot be removed.
 */
export class ConnectionService {
  constructor(
    private readonly repo: ConnectionsRepo,
    private readonly engines: Engines,
    private readonly makeEngine: EngineFactory,
    private readonly guestsOn: GuestsOnConnection,
  ) {}

  /** Builds the engine of every stored connection (before guests are adopted). */
  atServerStart(): void {
    for (const rec of this.repo.list()) this.engines.add(this.makeEngine(rec.uri));
  }

  async list(): Promise<Connection[]> {
    return Promise.all(this.repo.list().map((rec) => this.view(rec)));
  }

  /** @throws NotFound */
  async get(id: string): Promise<Connection> {
    const rec = this.repo.get(id);
    if (!rec) throw new NotFound(`connection ${id}`);
    return this.view(rec);
  }

  /** @throws Conflict (the URI is there already) */
  async add(req: CreateConnectionRequest): Promise<Connection> {
    const uri = req.uri.trim();
    if (this.repo.list().some((c) => c.uri === uri)) {
      throw new Conflict(ErrorCode.exists, `the connection ${uri} exists already`, [
        { path: 'uri', message: `the connection ${uri} exists already` },
      ]);
    }
    const rec: ConnectionRecord = {
      id: crypto.randomBytes(6).toString('hex'),
      uri,
      createdAt: new Date().toISOString(),
    };
    this.repo.insert(rec);
    this.engines.add(this.makeEngine(uri));
    return this.view(rec);
  }

  /** @throws NotFound, Conflict (virtweb guests are defined on it) */
  remove(id: string): void {
    const rec = this.repo.get(id);
    if (!rec) throw new NotFound(`connection ${id}`);
    const guests = this.guestsOn(rec.uri);
    if (guests.length > 0) {
      throw new Conflict(
        ErrorCode.inUse,
        `the connection ${rec.uri} has virtweb guests (${guests.join(', ')}): delete them first`,
      );
    }
    const ref = { id: 'libvirt', connection: rec.uri } as const;
    this.engines.find(ref)?.hostView?.close();
    this.engines.remove(ref);
    this.repo.delete(id);
  }

  private async view(rec: ConnectionRecord): Promise<Connection> {
    const host = this.engines.find({ id: 'libvirt', connection: rec.uri })?.hostView;
    const health = host
      ? await host.health()
      : { state: 'unreachable' as const, message: 'this server has no engine for it' };
    const guests: HostGuest[] = health.state === 'ok' && host ? await host.guests().catch(() => []) : [];
    return { id: rec.id, uri: rec.uri, engine: 'libvirt', createdAt: rec.createdAt, health, guests };
  }
}
