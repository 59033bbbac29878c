// Users in SQLite with their rules: roles, the last admin, disabling, passwords, TOTP on a fixed clock,
// sessions that follow their user, and the migration of the single admin password of before.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../store/db.ts';
import { MIGRATIONS } from '../store/migrations.ts';
import { hashPassword } from './password.ts';
import { Revocations } from './revocations.ts';
import { SessionStore } from './sessions.ts';
import { UserService } from './users.ts';
import { UsersRepo } from './users-repo.ts';

const dirs: string[] = [];
function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-users-'));
  dirs.push(dir);
  return path.join(dir, 'virtweb.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** 2026-12-07 12:00:00 UTC, on a 30 s step boundary. */
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

function setup(): {
  db: Db;
  users: UserService;
  sessions: SessionStore;
  revoked: string[];
  clock: { now: number };
} {
  const db = openDb(tempDbPath());
  const revocations = new Revocations();
  const revoked: string[] = [];
  revocations.subscribe((kind, id) => revoked.push(`${kind}:${id}`));
  const clock = { now: T0 };
  const sessions = new SessionStore(db, revocations, () => clock.now);
  const users = new UserService(new UsersRepo(db), sessions, () => clock.now);
  return { db, users, sessions, revoked, clock };
}

/** The code an authenticator app shows for `secret` at `at`. */
const codeAt = (secret: string, at: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

describe('UserService', () => {
  it('creates users with a role, refuses a second of one name, and logs them in by password', async () => {
    const { users, db } = setup();
    await users.create('ann', 'ann password', 'operate');
    await expect(users.create('ann', 'other password', 'read')).rejects.toMatchObject({
      code: 'already_exists',
    });
    expect(users.list()).toEqual([
      expect.objectContaining({ name: 'ann', role: 'operate', disabled: false, totp: false }),
    ]);
    expect(await users.login('ann', 'ann password', undefined)).toMatchObject({ ok: true });
    expect(await users.login('ann', 'wrong', undefined)).toEqual({ ok: false, reason: 'wrong_password' });
    expect(await users.login('nobody', 'ann password', undefined)).toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    expect(users.list()[0]?.lastLoginAt).toBe(new Date(T0).toISOString());
    expect(() => db.prepare("UPDATE users SET role = 'root'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('never removes, demotes or disables the last admin, but does once there is another', async () => {
    const { users, db } = setup();
    await users.create('root', 'root password', 'admin');
    expect(() => users.update('root', { role: 'read' })).toThrow(/last admin/);
    expect(() => users.update('root', { disabled: true })).toThrow(/last admin/);
    expect(() => users.delete('root')).toThrow(/last admin/);
    await users.create('second', 'second password', 'admin');
    users.update('second', { disabled: true });
    // A disabled admin does not count.
    expect(() => users.delete('root')).toThrow(/last admin/);
    users.update('second', { disabled: false });
    expect(users.update('root', { role: 'read' })).toMatchObject({ role: 'read' });
    expect(() => users.delete('second')).toThrow(/last admin/);
    db.close();
  });

  it("gives a session its user's role, ends its sessions when disabled or deleted, closes its sockets on a role change", async () => {
    const { users, sessions, revoked, db } = setup();
    await users.create('root', 'root password', 'admin');
    const bob = await users.create('bob', 'bob password', 'read');
    const bobId = users.get(bob.name).id;
    const { token } = sessions.create(bobId, { address: '10.0.0.2', userAgent: 'test' });
    const id = sessions.principal(token)?.id ?? '';
    expect(sessions.principal(token)).toMatchObject({ kind: 'session', scope: 'read', user: 'bob' });
    users.update('bob', { role: 'operate' });
    expect(sessions.principal(token)).toMatchObject({ scope: 'operate' });
    expect(revoked).toEqual([`session:${id}`]);
    expect(sessions.list('', bobId)).toEqual([
      expect.objectContaining({ id, user: 'bob', address: '10.0.0.2', userAgent: 'test', current: false }),
    ]);
    users.update('bob', { disabled: true });
    expect(sessions.principal(token)).toBeUndefined();
    expect(await users.login('bob', 'bob password', undefined)).toEqual({ ok: false, reason: 'disabled' });
    users.update('bob', { disabled: false });
    const again = sessions.create(bobId);
    users.delete('bob');
    expect(sessions.principal(again.token)).toBeUndefined();
    expect(revoked).toHaveLength(3);
    db.close();
  });

  it('lets a session expire by the clock', async () => {
    const { users, sessions, clock, db } = setup();
    await users.create('ann', 'ann password', 'read');
    const { token, maxAgeMs } = sessions.create(users.get('ann').id);
    clock.now += maxAgeMs - 1000;
    expect(sessions.principal(token)).toBeDefined();
    clock.now += 1000;
    expect(sessions.principal(token)).toBeUndefined();
    db.close();
  });

  it('sets passwords: a reset ends every session, changing one own keeps the session it is done from', async () => {
    const { users, sessions, db } = setup();
    await users.create('ann', 'ann password', 'read');
    const annId = users.get('ann').id;
    const here = sessions.create(annId);
    const there = sessions.create(annId);
    const hereId = sessions.principal(here.token)?.id ?? '';
    await expect(users.changeOwnPassword(annId, 'wrong', 'new password', hereId)).rejects.toThrow(
      /current password is wrong/,
    );
    await users.changeOwnPassword(annId, 'ann password', 'new password', hereId);
    expect(sessions.principal(here.token)).toBeDefined();
    expect(sessions.principal(there.token)).toBeUndefined();
    expect(await users.passwordIs('ann', 'new password')).toBe(true);
    await users.setPassword('ann', 'reset password');
    expect(sessions.principal(here.token)).toBeUndefined();
    expect(await users.passwordIs('ann', 'reset password')).toBe(true);
    db.close();
  });
});

describe('TOTP (RFC 6238) on a fixed clock', () => {
  it('is enrolled by a first code of the new secret, then asked for at login, each code good once', async () => {
    const { users, clock, db } = setup();
    await users.create('ann', 'ann password', 'read');
    const annId = users.get('ann').id;
    expect(() => users.confirmTotp(annId, '123456')).toThrow(/no authenticator enrolment/);
    const { secret, uri, qrCode } = users.beginTotp(annId);
    expect(uri).toMatch(/^otpauth:\/\/totp\/virtweb:ann\?/);
    expect(uri).toContain(`secret=${secret}`);
    expect(Buffer.from(qrCode.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString()).toMatch(
      /^<svg/,
    );
    // Not enrolled until confirmed: the login needs no code yet.
    expect(await users.login('ann', 'ann password', undefined)).toMatchObject({ ok: true });
    expect(() => users.confirmTotp(annId, codeAt(secret, T0 + 5 * 60_000))).toThrow(/does not match/);
    users.confirmTotp(annId, codeAt(secret, T0));
    expect(users.list()[0]?.totp).toBe(true);

    clock.now = T0 + 30_000;
    expect(await users.login('ann', 'ann password', undefined)).toEqual({
      ok: false,
      reason: 'totp_required',
    });
    expect(await users.login('ann', 'wrong', undefined)).toEqual({ ok: false, reason: 'wrong_password' });
    // The code of enrolment was used: it does not log in (a replay), nor does one of 2 minutes ago.
    expect(await users.login('ann', 'ann password', codeAt(secret, T0))).toEqual({
      ok: false,
      reason: 'wrong_totp',
    });
    expect(await users.login('ann', 'ann password', codeAt(secret, T0 - 120_000))).toMatchObject({
      ok: false,
    });
    const now = codeAt(secret, clock.now);
    expect(await users.login('ann', 'ann password', now)).toMatchObject({ ok: true });
    expect(await users.login('ann', 'ann password', now)).toEqual({ ok: false, reason: 'wrong_totp' });
    // One step of clock skew either way is taken.
    clock.now += 60_000;
    expect(await users.login('ann', 'ann password', codeAt(secret, clock.now + 30_000))).toMatchObject({
      ok: true,
    });
    users.removeTotp(annId);
    expect(await users.login('ann', 'ann password', undefined)).toMatchObject({ ok: true });
    db.close();
  });

  it('keeps an enrolled secret while a new enrolment is begun and not confirmed', async () => {
    const { users, clock, db } = setup();
    await users.create('ann', 'ann password', 'read');
    const annId = users.get('ann').id;
    const first = users.beginTotp(annId).secret;
    users.confirmTotp(annId, codeAt(first, T0));
    const second = users.beginTotp(annId).secret;
    clock.now += 30_000;
    expect(await users.login('ann', 'ann password', codeAt(second, clock.now))).toMatchObject({ ok: false });
    expect(await users.login('ann', 'ann password', codeAt(first, clock.now))).toMatchObject({ ok: true });
    db.close();
  });
});

describe('the migration to users', () => {
  it('makes the admin password of before the user admin, and keeps its sessions open as that user', async () => {
    const file = tempDbPath();
    const old = new Database(file);
    const before = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('CREATE TABLE users'));
    migrate(old, before);
    old
      .prepare("INSERT INTO settings (key, value) VALUES ('admin_password_hash', ?)")
      .run(await hashPassword('old admin password'));
    const token = 'a session from before';
    const tokenHash = crypto.createHash('sha256').update(token).digest('hex');
    old
      .prepare('INSERT INTO sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(tokenHash, new Date().toISOString(), new Date(Date.now() + 3600_000).toISOString());
    old.close();

    const db = openDb(file);
    const sessions = new SessionStore(db, new Revocations());
    const users = new UserService(new UsersRepo(db), sessions);
    expect(users.list()).toEqual([
      expect.objectContaining({ name: 'admin', role: 'admin', disabled: false }),
    ]);
    expect(await users.passwordIs('admin', 'old admin password')).toBe(true);
    expect(sessions.principal(token)).toMatchObject({ kind: 'session', scope: 'admin', user: 'admin' });
    expect(db.prepare("SELECT * FROM settings WHERE key = 'admin_password_hash'").all()).toEqual([]);
    db.close();
  });
});
