import crypto from 'node:crypto';
import type { Db } from '../store/db.ts';

const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Login sessions in SQLite (only token hashes are stored), so a server restart keeps people logged in. */
export class SessionStore {
  constructor(private readonly db: Db) {}

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
    if (!token) return false;
    const row = this.db
      .prepare('SELECT expires_at FROM sessions WHERE token_hash = ?')
      .get(hashToken(token)) as { expires_at: string } | undefined;
    return row !== undefined && row.expires_at > new Date().toISOString();
  }

  revoke(token: string | undefined): void {
    if (token) this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }
}
