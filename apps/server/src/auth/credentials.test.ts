// API tokens and sessions in SQLite: scopes (and the tokens from before them), principals, revocations.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDb } from '../store/db.ts';
import { MIGRATIONS } from '../store/migrations.ts';
import { ApiTokenStore } from './api-tokens.ts';
import { Revocations } from './revocations.ts';
import { SessionStore } from './sessions.ts';
import { UsersRepo } from './users-repo.ts';

const dirs: string[] = [];
function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-cred-'));
  dirs.push(dir);
  return path.join(dir, 'virtweb.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Records what was revoked. */
function recorder(): { revocations: Revocations; revoked: string[] } {
  const revocations = new Revocations();
  const revoked: string[] = [];
  revocations.subscribe((kind, id) => revoked.push(`${kind}:${id}`));
  return { revocations, revoked };
}

describe('API tokens', () => {
  it('carry the scope they were made with: listed, and in the principal of the token', () => {
    const db = openDb(tempDbPath());
    const tokens = new ApiTokenStore(db, new Revocations());
    const made = tokens.create('script', 'operate');
    expect(made.scope).toBe('operate');
    expect(tokens.list()).toEqual([
      expect.objectContaining({ id: made.id, name: 'script', scope: 'operate' }),
    ]);
    expect(tokens.verify(made.token)).toEqual({ kind: 'token', id: made.id, scope: 'operate' });
    expect(() => db.prepare("UPDATE api_tokens SET scope = 'root'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('made before scopes existed become peer tokens', () => {
    const file = tempDbPath();
    const old = new Database(file);
    const before = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('ADD COLUMN scope'));
    migrate(old, before);
    const secret = 'vwt_old';
    old
      .prepare('INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)')
      .run('aaaaaaaaaaaa', 'host-a', crypto.createHash('sha256').update(secret).digest('hex'), '2026-01-01');
    old.close();

    const db = openDb(file);
    const tokens = new ApiTokenStore(db, new Revocations());
    expect(tokens.list()).toEqual([expect.objectContaining({ id: 'aaaaaaaaaaaa', scope: 'peer' })]);
    expect(tokens.verify(secret)?.scope).toBe('peer');
    db.close();
  });

  it('announce their revocation once, by id', () => {
    const db = openDb(tempDbPath());
    const { revocations, revoked } = recorder();
    const tokens = new ApiTokenStore(db, revocations);
    const made = tokens.create('peer b', 'peer');
    expect(tokens.revoke(made.id)).toBe(true);
    expect(tokens.revoke(made.id)).toBe(false);
    expect(revoked).toEqual([`token:${made.id}`]);
    expect(tokens.verify(made.token)).toBeUndefined();
    db.close();
  });
});

describe('sessions', () => {
  it("have their user's role until they expire, and announce their end by the id their principal carries", () => {
    const db = openDb(tempDbPath());
    const { revocations, revoked } = recorder();
    const sessions = new SessionStore(db, revocations);
    const admin = new UsersRepo(db).insert('admin', 'admin', 'x');
    const { token, maxAgeMs } = sessions.create(admin.id);
    const principal = sessions.principal(token);
    expect(principal).toMatchObject({ kind: 'session', scope: 'admin', user: 'admin', userId: admin.id });
    expect(principal?.expiresAt).toBeGreaterThan(Date.now() + maxAgeMs - 60_000);
    sessions.revoke(token);
    sessions.revoke(token);
    expect(revoked).toEqual([`session:${principal?.id ?? ''}`]);
    expect(sessions.principal(token)).toBeUndefined();
    db.close();
  });
});
