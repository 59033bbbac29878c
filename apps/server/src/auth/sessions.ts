import crypto from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { Principal } from './principal.ts';
import type { Revocations } from './revocations.ts';

const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Login sessions in SQLite (only token hashes are stored), so a server restart keeps people logged in. */
export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly revocations: Revocations,
  ) {}

  create(): { token: string; maxAgeMs: number } {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    this.db
      .prepare('INSERT INTO sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(hashToken(token), new Date(now).toISOString(), new Date(now + SESSION_TTL_MS).toISOString());
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date(now).toISOString());
    return { token, maxAgeMs: SESSION_TTL_MS };
  }

  isValid(token: string | undefined): boolean {
    return this.principal(token) !== undefined;
  }

  /** The logged-in user of a valid session token (a session is `admin`), or undefined. */
  principal(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const id = hashToken(token);
    const row = this.db.prepare('SELECT expires_at FROM sessions WHERE token_hash = ?').get(id) as
      { expires_at: string } | undefined;
    if (row === undefined || row.expires_at <= new Date().toISOString()) return undefined;
    return { kind: 'session', id, scope: 'admin', expiresAt: Date.parse(row.expires_at) };
  }

  /** Ends the session; what is still open on it is told (its websockets close). */
  revoke(token: string | undefined): void {
    if (!token) return;
    const id = hashToken(token);
    if (this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(id).changes > 0) {
      this.revocations.publish('session', id);
    }
  }
}
