import crypto from 'node:crypto';
import type { ApiToken, CreatedToken, TokenScope } from '@virtweb/protocol';
import type { Db } from '../store/db.ts';
import type { Principal } from './principal.ts';
import type { Revocations } from './revocations.ts';

interface TokenRow {
  id: string;
  name: string;
  /** CHECKed by the schema to be a TokenScope. */
  scope: TokenScope;
  created_at: string;
  last_used_at: string | null;
}

/** Tokens are stored as hashes; a token looks like `vwt_<43 base64url chars>` so people can tell what it is. */
const PREFIX = 'vwt_';
/** `last_used_at` is written at most this often per token (every API call would be a write otherwise). */
const TOUCH_INTERVAL_MS = 60_000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    ...(r.last_used_at === null ? {} : { lastUsedAt: r.last_used_at }),
  };
}

/** API tokens for other virtweb servers and scripts (`Authorization: Bearer`), in SQLite. */
export class ApiTokenStore {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly revocations: Revocations,
  ) {}

  create(name: string, scope: TokenScope): CreatedToken {
    const token = PREFIX + crypto.randomBytes(32).toString('base64url');
    const row: TokenRow = {
      id: crypto.randomBytes(6).toString('hex'),
      name,
      scope,
      created_at: new Date().toISOString(),
      last_used_at: null,
    };
    this.db
      .prepare('INSERT INTO api_tokens (id, name, scope, token_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.scope, hashToken(token), row.created_at);
    return { ...toToken(row), token };
  }

  list(): ApiToken[] {
    const rows = this.db
      .prepare('SELECT id, name, scope, created_at, last_used_at FROM api_tokens ORDER BY created_at')
      .all() as TokenRow[];
    return rows.map(toToken);
  }

  /** Deletes the token; what is still open on it is told (its websockets close). @returns false when unknown */
  revoke(id: string): boolean {
    this.touched.delete(id);
    const gone = this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0;
    if (gone) this.revocations.publish('token', id);
    return gone;
  }

  /** A token's name by its id (the task log's "who"), or undefined when unknown. */
  nameOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT name FROM api_tokens WHERE id = ?').get(id) as
      Pick<TokenRow, 'name'> | undefined;
    return row?.name;
  }

  /** The holder of a valid token (its id and scope), or undefined. Records when it was last used. */
  verify(token: string): Principal | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const row = this.db
      .prepare('SELECT id, scope FROM api_tokens WHERE token_hash = ?')
      .get(hashToken(token)) as Pick<TokenRow, 'id' | 'scope'> | undefined;
    if (!row) return undefined;
    const now = Date.now();
    if (now - (this.touched.get(row.id) ?? 0) > TOUCH_INTERVAL_MS) {
      this.touched.set(row.id, now);
      this.db
        .prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?')
        .run(new Date(now).toISOString(), row.id);
    }
    return { kind: 'token', id: row.id, scope: row.scope };
  }
}
