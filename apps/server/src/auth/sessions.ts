import crypto from 'node:crypto';
import type { Session, UserRole } from '@virtweb/protocol';
import type { Db } from '../store/db.ts';
import type { Principal } from './principal.ts';
import type { Revocations } from './revocations.ts';

const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

interface SessionRow {
  id: string;
  user_id: string;
  user: string;
  created_at: string;
  expires_at: string;
  address: string | null;
  user_agent: string | null;
}

/** Where a login came from, as the sessions list shows it. */
export interface SessionOrigin {
  address?: string;
  userAgent?: string;
}

const SELECT = `SELECT s.id, s.user_id, u.name AS user, s.created_at, s.expires_at, s.address, s.user_agent
  FROM sessions s JOIN users u ON u.id = s.user_id`;

/**
 * Login sessions in SQLite (only token hashes are stored), so a server restart keeps people logged in. A
 * session is its user's: it has the user's role, and ends when the user is disabled or deleted.
 */
export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly revocations: Revocations,
    private readonly now: () => number = Date.now,
  ) {}

  create(userId: string, origin: SessionOrigin = {}): { token: string; maxAgeMs: number } {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, id, user_id, created_at, expires_at, address, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hashToken(token),
        crypto.randomBytes(8).toString('hex'),
        userId,
        new Date(now).toISOString(),
        new Date(now + SESSION_TTL_MS).toISOString(),
        origin.address?.slice(0, 100) ?? null,
        origin.userAgent?.slice(0, 200) ?? null,
      );
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date(now).toISOString());
    return { token, maxAgeMs: SESSION_TTL_MS };
  }

  isValid(token: string | undefined): boolean {
    return this.principal(token) !== undefined;
  }

  /** The logged-in user of a valid session token (with the user's role), or undefined. */
  principal(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const row = this.db
      .prepare(
        `SELECT s.id, s.expires_at, u.id AS user_id, u.name, u.role FROM sessions s
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0`,
      )
      .get(hashToken(token)) as
      { id: string; expires_at: string; user_id: string; name: string; role: UserRole } | undefined;
    if (row === undefined || row.expires_at <= new Date(this.now()).toISOString()) return undefined;
    return {
      kind: 'session',
      id: row.id,
      scope: row.role,
      expiresAt: Date.parse(row.expires_at),
      user: row.name,
      userId: row.user_id,
    };
  }

  /** The sessions that have not expired: one user's, or everyone's; `current` marks the asker's. */
  list(currentId: string, userId?: string): Session[] {
    const now = new Date(this.now()).toISOString();
    const rows = (
      userId === undefined
        ? this.db.prepare(`${SELECT} WHERE s.expires_at > ? ORDER BY s.created_at`).all(now)
        : this.db
            .prepare(`${SELECT} WHERE s.expires_at > ? AND s.user_id = ? ORDER BY s.created_at`)
            .all(now, userId)
    ) as SessionRow[];
    return rows.map((r) => ({
      id: r.id,
      user: r.user,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      ...(r.address === null ? {} : { address: r.address }),
      ...(r.user_agent === null ? {} : { userAgent: r.user_agent }),
      current: r.id === currentId,
    }));
  }

  /** The user a session is of, or undefined when there is no such session. */
  ownerOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT user_id FROM sessions WHERE id = ?').get(id) as
      { user_id: string } | undefined;
    return row?.user_id;
  }

  /** Ends the session of this cookie; what is still open on it is told (its websockets close). */
  revoke(token: string | undefined): void {
    if (!token) return;
    const row = this.db.prepare('SELECT id FROM sessions WHERE token_hash = ?').get(hashToken(token)) as
      { id: string } | undefined;
    if (row) this.revokeById(row.id);
  }

  /** Ends a session by its listed id. @returns false when there was none */
  revokeById(id: string): boolean {
    const gone = this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
    if (gone) this.revocations.publish('session', id);
    return gone;
  }

  /** Ends every session of a user but `keep` (the one changing its own password stays logged in). */
  revokeAllOf(userId: string, keep?: string): void {
    for (const id of this.idsOf(userId)) if (id !== keep) this.revokeById(id);
  }

  /**
   * Closes the websockets of a user's sessions without ending them (its role changed: a socket's right is
   * checked only when it opens, so they reopen with the new one).
   */
  closeSocketsOf(userId: string): void {
    for (const id of this.idsOf(userId)) this.revocations.publish('session', id);
  }

  private idsOf(userId: string): string[] {
    const rows = this.db.prepare('SELECT id FROM sessions WHERE user_id = ?').all(userId) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
