// The task recorder at the HTTP edge: what it takes from the route, the principal and the answer (never the
// body), which requests it leaves out, and that a log that cannot record never fails a request.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { Conflict } from '../domain/errors.ts';
import { EventBus } from '../events/bus.ts';
import { openDb, type Db } from '../store/db.ts';
import { TaskLog } from '../tasks/task-log.ts';
import { TasksRepo } from '../tasks/tasks-repo.ts';
import { errorHandler } from './errors.ts';
import { recordTasks } from './task-recorder.ts';
import { serveOnLoopback } from './test-support.ts';

const VM = '0123456789ab';
const SECRET = 'vwt_do-not-log-me';
const principal: Principal = { kind: 'token', id: 'tok1', scope: 'operate' };

let dir = '';
let db: Db;
let log: TaskLog;
let url = '';
let close: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-recorder-'));
  db = openDb(path.join(dir, 'virtweb.db'));
  log = new TaskLog(new TasksRepo(db), new EventBus(), 30);
  log.start();
  const api = express.Router();
  api.use((_req, res, next) => {
    res.locals.principal = principal;
    next();
  });
  api.use(
    recordTasks({
      tasks: log,
      userOf: (p) => (p.id === 'tok1' ? 'ci-bot' : p.id),
      vmName: (id) => (id === VM ? 'web1' : undefined),
    }),
  );
  api.use(express.json());
  api.post('/tokens', (_req, res) => {
    res.status(201).json({ id: 'tok2', name: 'made', token: SECRET });
  });
  api.post('/vms/preview', (_req, res) => {
    res.json({ argv: [] });
  });
  api.get('/vms/:id', (_req, res) => {
    res.json({ id: VM });
  });
  api.post('/vms/:id/start', () => {
    throw new Conflict('wrong_state', 'cannot start a VM that is running');
  });
  api.post('/vms/:id/save', (_req, res) => {
    res.status(202).json({ id: 'job1', vmId: VM });
  });
  api.delete('/images/:name', (_req, res) => {
    res.status(204).end();
  });
  const app = express();
  app.use('/api', api);
  app.use(errorHandler);
  ({ url, close } = await serveOnLoopback(app));
});

afterAll(async () => {
  log.stop();
  await close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, body?: unknown) =>
  fetch(`${url}/api${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The tasks recorded since `since` (an id), oldest first. */
const since = (id: number) =>
  log
    .list({ limit: 200 })
    .tasks.filter((t) => t.id > id)
    .reverse();
const lastId = () => log.list({ limit: 1 }).tasks[0]?.id ?? 0;

describe('recordTasks', () => {
  it('records the route, the target by name, who and the answer; never a body', async () => {
    const from = lastId();
    expect((await call('POST', '/tokens', { name: 'made', scope: 'read', password: 'hunter2' })).status).toBe(
      201,
    );
    expect((await call('POST', `/vms/${VM}/start`)).status).toBe(409);
    expect((await call('DELETE', '/images/a%20b.qcow2')).status).toBe(204);
    const tasks = since(from);
    expect(tasks.map((t) => [t.op, t.target, t.status, t.httpStatus])).toEqual([
      ['token.create', 'made', 'ok', 201],
      ['vm.start', 'web1', 'failed', 409],
      ['image.delete', 'a b.qcow2', 'ok', 204],
    ]);
    expect(tasks[1]).toMatchObject({
      user: 'ci-bot',
      via: 'token',
      scope: 'operate',
      vmId: VM,
      route: 'POST /api/vms/:id/start',
      errorCode: 'wrong_state',
      error: 'cannot start a VM that is running',
    });
    expect(JSON.stringify(tasks)).not.toMatch(/vwt_|hunter2/);
  });

  it('leaves out reads and the POSTs that change nothing', async () => {
    const from = lastId();
    expect((await call('GET', `/vms/${VM}`)).status).toBe(200);
    expect((await call('POST', '/vms/preview', {})).status).toBe(200);
    expect(since(from)).toEqual([]);
  });

  it('keeps a job task running after its 202, naming the job', async () => {
    const from = lastId();
    expect((await call('POST', `/vms/${VM}/save`, {})).status).toBe(202);
    expect(since(from)[0]).toMatchObject({
      op: 'vm.save',
      status: 'running',
      jobId: 'job1',
      httpStatus: 202,
    });
  });

  it('never fails a request when the log cannot record', async () => {
    db.close();
    const answers = await Promise.all([
      call('POST', `/vms/${VM}/save`, {}),
      call('DELETE', '/images/x.qcow2'),
      call('POST', `/vms/${VM}/start`),
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 204, 409]);
  });
});
