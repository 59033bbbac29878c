import type { Db } from './db.ts';

export interface ConnectionRecord {
  id: string;
  uri: string;
  createdAt: string;
}

/** The libvirt connections the admin added (table `connections`). */
export class ConnectionsRepo {
  constructor(private readonly db: Db) {}

  list(): ConnectionRecord[] {
    return this.db
      .prepare('SELECT id, uri, created_at AS createdAt FROM connections ORDER BY created_at, uri')
      .all() as ConnectionRecord[];
  }

  get(id: string): ConnectionRecord | undefined {
    return this.list().find((c) => c.id === id);
  }

  /** @throws the UNIQUE constraint's error when the URI is there already */
  insert(rec: ConnectionRecord): void {
    this.db
      .prepare('INSERT INTO connections (id, uri, created_at) VALUES (?, ?, ?)')
      .run(rec.id, rec.uri, rec.createdAt);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM connections WHERE id = ?').run(id);
  }
}
