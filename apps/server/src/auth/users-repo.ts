import crypto from 'node:crypto';
import type { User, UserRole } from '@virtweb/protocol';
import type { Db } from '../store/db.ts';

/** A user as stored (the Users page sees {@link User}, without the hash and secrets). */
export interface UserRow {
  id: string;
  name: string;
  /** CHECKed by the schema to be a UserRole. */
  role: UserRole;
  password_hash: string;
  disabled: 0 | 1;
  /** Base32; set once enrolment was confirmed with a first code. */
  totp_secret: string | null;
  /** Base32; an enrolment begun and not yet confirmed. */
  totp_pending: string | null;
  /** The last TOTP time step used to log in: a code is good once. */
  totp_last_step: number | null;
  created_at: string;
  last_login_at: string | null;
}

export function toUser(r: UserRow): User {
  return {
    name: r.name,
    role: r.role,
    disabled: r.disabled === 1,
    totp: r.totp_secret !== null,
    createdAt: r.created_at,
    ...(r.last_login_at === null ? {} : { lastLoginAt: r.last_login_at }),
  };
}

/** The users table: plain reads and writes; the rules (last admin, sessions ending) are UserService's. */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  insert(name: string, role: UserRole, passwordHash: string): UserRow {
    const row: UserRow = {
      id: crypto.randomBytes(6).toString('hex'),
      name,
      role,
      password_hash: passwordHash,
      disabled: 0,
      totp_secret: null,
      totp_pending: null,
      totp_last_step: null,
      created_at: new Date().toISOString(),
      last_login_at: null,
    };
    this.db
      .prepare('INSERT INTO users (id, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.role, row.password_hash, row.created_at);
    return row;
  }

  list(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[];
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  byName(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  byId(id: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  /** Admins who may log in. */
  activeAdmins(): number {
    const row = this.db
      .prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
      .get() as { n: number };
    return row.n;
  }

  update(
    id: string,
    change: Partial<
      Pick<
        UserRow,
        | 'role'
        | 'disabled'
        | 'password_hash'
        | 'totp_secret'
        | 'totp_pending'
        | 'totp_last_step'
        | 'last_login_at'
      >
    >,
  ): void {
    const columns = Object.keys(change);
    if (columns.length === 0) return;
    // The column names come from the type above, never from a request.
    const sets = columns.map((c) => `${c} = @${c}`).join(', ');
    this.db.prepare(`UPDATE users SET ${sets} WHERE id = @id`).run({ ...change, id });
  }

  /** @returns false when there was no such user */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }
}
