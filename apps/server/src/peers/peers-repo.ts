import type { Db } from '../store/db.ts';

/** A registered peer as stored; the token is the peer's API token, needed to call it. */
export interface PeerRecord {
  id: string;
  name: string;
  /** The peer's own id (`GET /api/peers/self`): one server is one peer, whatever URL reaches it. */
  serverId: string;
  url: string;
  token: string;
  /** The pinned fingerprint of its certificate (https:// peers added with one). */
  fingerprint: string | undefined;
  addedAt: string;
}

interface PeerRow {
  id: string;
  name: string;
  server_id: string;
  url: string;
  token: string;
  fingerprint: string | null;
  added_at: string;
}

const fromRow = (r: PeerRow): PeerRecord => ({
  id: r.id,
  name: r.name,
  serverId: r.server_id,
  url: r.url,
  token: r.token,
  fingerprint: r.fingerprint ?? undefined,
  addedAt: r.added_at,
});

/** The other virtweb servers this one knows, in SQLite. */
export class PeersRepo {
  constructor(private readonly db: Db) {}

  list(): PeerRecord[] {
    return (this.db.prepare('SELECT * FROM peers ORDER BY added_at').all() as PeerRow[]).map(fromRow);
  }

  get(id: string): PeerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM peers WHERE id = ?').get(id) as PeerRow | undefined;
    return row && fromRow(row);
  }

  byUrl(url: string): PeerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM peers WHERE url = ?').get(url) as PeerRow | undefined;
    return row && fromRow(row);
  }

  insert(p: PeerRecord): void {
    this.db
      .prepare(
        'INSERT INTO peers (id, name, server_id, url, token, fingerprint, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(p.id, p.name, p.serverId, p.url, p.token, p.fingerprint ?? null, p.addedAt);
  }

  rename(id: string, name: string): void {
    this.db.prepare('UPDATE peers SET name = ? WHERE id = ?').run(name, id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM peers WHERE id = ?').run(id).changes > 0;
  }
}
