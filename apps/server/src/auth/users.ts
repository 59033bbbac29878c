import type { User, UserRole } from '@virtweb/protocol';
import { Conflict, Forbidden, Invalid, NotFound } from '../domain/errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { SessionStore } from './sessions.ts';
import { newTotpSecret, totpEnrolment, totpStep } from './totp.ts';
import { toUser, type UserRow, type UsersRepo } from './users-repo.ts';

/** What a login attempt came to: the user, or why not (a wrong password and an unknown user look alike). */
export type LoginResult =
  | { ok: true; user: UserRow }
  | { ok: false; reason: 'wrong_password' | 'disabled' | 'totp_required' | 'wrong_totp' };

/** Checked when the user is unknown, so that the answer takes as long as for a known one. */
const NOBODY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Users and their rules: passwords (scrypt), roles, disabling, TOTP, and the last admin, who may be neither
 * removed, demoted nor disabled. A user's sessions end when it is disabled, deleted or its password is set by
 * an admin; its websockets close when its role changes.
 */
export class UserService {
  constructor(
    private readonly repo: UsersRepo,
    private readonly sessions: SessionStore,
    private readonly now: () => number = Date.now,
  ) {}

  list(): User[] {
    return this.repo.list().map(toUser);
  }

  count(): number {
    return this.repo.count();
  }

  /** @throws NotFound */
  get(name: string): UserRow {
    const row = this.repo.byName(name);
    if (!row) throw new NotFound(`user ${name}`);
    return row;
  }

  exists(name: string): boolean {
    return this.repo.byName(name) !== undefined;
  }

  /** True when `password` is the user's (whether or not it may log in). */
  async passwordIs(name: string, password: string): Promise<boolean> {
    const user = this.repo.byName(name);
    return user !== undefined && (await verifyPassword(password, user.password_hash));
  }

  byId(id: string): UserRow | undefined {
    return this.repo.byId(id);
  }

  /** @throws Conflict `already_exists` */
  async create(name: string, password: string, role: UserRole): Promise<User> {
    const hash = await hashPassword(password);
    // Checked after the hash (which waits): two creations of one name cannot both pass.
    if (this.repo.byName(name)) throw new Conflict('already_exists', `user ${name} already exists`);
    return toUser(this.repo.insert(name, role, hash));
  }

  /** An admin changes a user's role or whether it may log in. @throws NotFound, Conflict (the last admin) */
  update(name: string, change: { role?: UserRole; disabled?: boolean }): User {
    const user = this.get(name);
    const losesAdmin =
      user.role === 'admin' &&
      user.disabled === 0 &&
      ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
    if (losesAdmin) this.refuseLastAdmin(change.disabled === true ? 'disable' : 'demote');
    this.repo.update(user.id, {
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.disabled === undefined ? {} : { disabled: change.disabled ? 1 : 0 }),
    });
    if (change.disabled === true) this.sessions.revokeAllOf(user.id);
    else if (change.role !== undefined && change.role !== user.role) this.sessions.closeSocketsOf(user.id);
    return toUser(this.get(name));
  }

  /** @throws NotFound, Conflict (the last admin) */
  delete(name: string): void {
    const user = this.get(name);
    if (user.role === 'admin' && user.disabled === 0) this.refuseLastAdmin('delete');
    // Its sessions go with it (ON DELETE CASCADE): their websockets are closed first.
    this.sessions.revokeAllOf(user.id);
    this.repo.delete(user.id);
  }

  /** Sets a password (an admin's reset, the host shell's CLI): every session of the user ends. */
  async setPassword(name: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    const user = this.get(name);
    this.repo.update(user.id, { password_hash: hash });
    this.sessions.revokeAllOf(user.id);
  }

  /** A user changes its own password; its other sessions end. @throws Forbidden when `current` is wrong */
  async changeOwnPassword(userId: string, current: string, next: string, keepSession: string): Promise<void> {
    const user = this.mustById(userId);
    if (!(await verifyPassword(current, user.password_hash)))
      throw new Forbidden('forbidden', 'the current password is wrong');
    this.repo.update(user.id, { password_hash: await hashPassword(next) });
    this.sessions.revokeAllOf(user.id, keepSession);
  }

  /**
   * Checks a login: the password (scrypt, also for unknown users), then whether the user may log in, then
   * its TOTP code when it has one (each code once).
   */
  async login(name: string, password: string, code: string | undefined): Promise<LoginResult> {
    const user = this.repo.byName(name);
    const right = await verifyPassword(password, user?.password_hash ?? NOBODY_HASH);
    if (!user || !right) return { ok: false, reason: 'wrong_password' };
    if (user.disabled === 1) return { ok: false, reason: 'disabled' };
    if (user.totp_secret !== null) {
      if (code === undefined) return { ok: false, reason: 'totp_required' };
      if (!this.useCode(user, user.totp_secret, code)) return { ok: false, reason: 'wrong_totp' };
    }
    this.repo.update(user.id, { last_login_at: new Date(this.now()).toISOString() });
    return { ok: true, user };
  }

  /** Begins (or begins again) a TOTP enrolment: the secret is kept aside until a first code confirms it. */
  beginTotp(userId: string): { secret: string; uri: string; qrCode: string } {
    const user = this.mustById(userId);
    const secret = newTotpSecret();
    this.repo.update(user.id, { totp_pending: secret });
    return { secret, ...totpEnrolment(secret, user.name) };
  }

  /** Confirms an enrolment with a code of the new secret. @throws Conflict (none begun), Invalid (wrong code) */
  confirmTotp(userId: string, code: string): void {
    const user = this.mustById(userId);
    if (user.totp_pending === null)
      throw new Conflict('wrong_state', 'no authenticator enrolment was begun: begin one first');
    if (!this.useCode(user, user.totp_pending, code))
      throw new Invalid('the code does not match: check the time on the phone and try the next one');
    this.repo.update(user.id, { totp_secret: user.totp_pending, totp_pending: null });
  }

  /** Removes a user's TOTP (its own choice, or an admin's for a lost phone). */
  removeTotp(userId: string): void {
    this.repo.update(this.mustById(userId).id, {
      totp_secret: null,
      totp_pending: null,
      totp_last_step: null,
    });
  }

  /** True when `code` is right for `secret` now and its time step was not used before; records it. */
  private useCode(user: UserRow, secret: string, code: string): boolean {
    const step = totpStep(secret, code, this.now());
    if (step === undefined || (user.totp_last_step !== null && step <= user.totp_last_step)) return false;
    this.repo.update(user.id, { totp_last_step: step });
    user.totp_last_step = step;
    return true;
  }

  private mustById(id: string): UserRow {
    const user = this.repo.byId(id);
    if (!user) throw new NotFound('user');
    return user;
  }

  private refuseLastAdmin(what: 'delete' | 'demote' | 'disable'): void {
    if (this.repo.activeAdmins() <= 1)
      throw new Conflict('last_admin', `cannot ${what} the last admin: make another user admin first`);
  }
}
