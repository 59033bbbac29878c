import { Router } from 'express';
import {
  ChangePasswordRequestSchema,
  CreateUserRequestSchema,
  ResetPasswordRequestSchema,
  TotpCodeRequestSchema,
  UpdateUserRequestSchema,
  UsernameSchema,
  type TotpEnrolment,
} from '@virtweb/protocol';
import type { SessionStore } from '../auth/sessions.ts';
import type { UserService } from '../auth/users.ts';
import { principalOf } from './auth-middleware.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';
import type { Response } from 'express';

const userName = (raw: string): string => {
  if (!UsernameSchema.safeParse(raw).success) throw notFound(`user ${raw}`);
  return raw;
};

/** The logged-in user's id and session id (the routes here are for sessions only: see ROUTE_SCOPES). */
function me(res: Response): { userId: string; sessionId: string; admin: boolean } {
  const principal = principalOf(res);
  if (principal.userId === undefined) throw new Error('users-router: a route for sessions got a token');
  return { userId: principal.userId, sessionId: principal.id, admin: principal.scope === 'admin' };
}

/** `/api/users`: an admin manages users (create, role, disable, delete, reset a password or TOTP). */
export function usersRouter(users: UserService): Router {
  const r = Router();
  r.get('/users', (_req, res) => {
    res.json(users.list());
  });
  r.post('/users', async (req, res) => {
    const body = parseOr400(CreateUserRequestSchema, req.body);
    res.status(201).json(await users.create(body.name, body.password, body.role));
  });
  r.put('/users/:name', (req, res) => {
    const name = userName(req.params.name);
    const body = parseOr400(UpdateUserRequestSchema, req.body);
    res.json(users.update(name, body));
  });
  r.delete('/users/:name', (req, res) => {
    users.delete(userName(req.params.name));
    res.status(204).end();
  });
  r.put('/users/:name/password', async (req, res) => {
    const name = userName(req.params.name);
    const body = parseOr400(ResetPasswordRequestSchema, req.body);
    users.get(name);
    await users.setPassword(name, body.password);
    res.status(204).end();
  });
  r.delete('/users/:name/totp', (req, res) => {
    users.removeTotp(users.get(userName(req.params.name)).id);
    res.status(204).end();
  });
  return r;
}

/** `/api/account`: the logged-in user's own password and TOTP; `/api/sessions`: its sessions (all, for admins). */
export function accountRouter(users: UserService, sessions: SessionStore): Router {
  const r = Router();
  r.put('/account/password', async (req, res) => {
    const body = parseOr400(ChangePasswordRequestSchema, req.body);
    const { userId, sessionId } = me(res);
    await users.changeOwnPassword(userId, body.currentPassword, body.newPassword, sessionId);
    res.status(204).end();
  });
  r.post('/account/totp', (_req, res) => {
    const enrolment: TotpEnrolment = users.beginTotp(me(res).userId);
    res.status(201).json(enrolment);
  });
  r.put('/account/totp', (req, res) => {
    const { code } = parseOr400(TotpCodeRequestSchema, req.body);
    users.confirmTotp(me(res).userId, code);
    res.status(204).end();
  });
  r.delete('/account/totp', (_req, res) => {
    users.removeTotp(me(res).userId);
    res.status(204).end();
  });

  r.get('/sessions', (_req, res) => {
    const { userId, sessionId, admin } = me(res);
    res.json(sessions.list(sessionId, admin ? undefined : userId));
  });
  r.delete('/sessions/:id', (req, res) => {
    const { userId, admin } = me(res);
    const id = req.params.id;
    // Another user's session is not even said to exist, unless an admin asks.
    if ((!admin && sessions.ownerOf(id) !== userId) || !sessions.revokeById(id))
      throw notFound(`session ${id}`);
    res.status(204).end();
  });
  return r;
}
