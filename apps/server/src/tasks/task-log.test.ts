import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationJob, ServerEvent, Task } from '@virtweb/protocol';
import { EventBus } from '../events/bus.ts';
import { openDb, type Db } from '../store/db.ts';
import { TaskLog } from './task-log.ts';
import { TasksRepo, type NewTask } from './tasks-repo.ts';

const DAY = 24 * 60 * 60 * 1000;
const dirs: string[] = [];
const dbs: Db[] = [];
const logs: TaskLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) l.stop();
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-tasks-'));
  dirs.push(dir);
  return path.join(dir, 'virtweb.db');
}

function open(file: string): Db {
  const db = openDb(file);
  dbs.push(db);
  return db;
}

/** A task log on `file` whose clock is `clock.now`; started (marks interrupted, prunes, follows the bus). */
function taskLog(file: string, clock: { now: number }, retentionDays = 30) {
  const bus = new EventBus();
  const events: ServerEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const repo = new TasksRepo(open(file));
  const log = new TaskLog(repo, bus, retentionDays, () => clock.now);
  logs.push(log);
  log.start();
  return { bus, events, repo, log };
}

const request = (over: Partial<NewTask> = {}): NewTask => ({
  op: 'vm.start',
  route: 'POST /api/vms/:id/start',
  user: 'admin',
  via: 'session',
  scope: 'admin',
  client: '127.0.0.1',
  target: 'web1',
  vmId: '0123456789ab',
  startedAt: 1_000,
  ...over,
});

const job = (over: Partial<MigrationJob>): MigrationJob => ({
  id: 'job1',
  vmId: '0123456789ab',
  vmName: 'web1',
  kind: 'save',
  target: 'web1.vmstate.zst',
  targetName: 'web1.vmstate.zst',
  phase: 'migrating',
  checks: [],
  startedAt: new Date(0).toISOString(),
  ...over,
});

describe('TaskLog', () => {
  it('records a request from begin to end with its duration, and publishes each step', () => {
    const clock = { now: 1_000 };
    const { log, events } = taskLog(tempDb(), clock);
    const id = log.begin(request()) ?? -1;
    clock.now = 1_250;
    log.end(id, { status: 'failed', httpStatus: 409, errorCode: 'wrong_state', error: 'already running' });
    const [task] = log.list({ limit: 10 }).tasks;
    expect(task).toMatchObject({
      op: 'vm.start',
      user: 'admin',
      target: 'web1',
      status: 'failed',
      httpStatus: 409,
      errorCode: 'wrong_state',
      durationMs: 250,
    });
    const statuses = events.flatMap((e) => (e.type === 'task.updated' ? [e.task.status] : []));
    expect(statuses).toEqual(['running', 'failed']);
  });

  it('marks what a stopped server left running as interrupted at the next start', () => {
    const file = tempDb();
    const clock = { now: 1_000 };
    const first = taskLog(file, clock);
    const running = first.log.begin(request({ op: 'image.upload', target: 'big.iso' })) ?? -1;
    const done = first.log.begin(request()) ?? -1;
    first.log.end(done, { status: 'ok', httpStatus: 202 });

    clock.now = 5_000; // the server died without stopping its task log (a crash, SIGKILL)
    const second = taskLog(file, clock);
    expect(second.repo.get(running)).toMatchObject({ status: 'interrupted', durationMs: 4_000 });
    expect(second.repo.get(done)?.status).toBe('ok');
  });

  it('marks what runs as interrupted when it stops, and an answer after that changes nothing', () => {
    const clock = { now: 1_000 };
    const { log, repo } = taskLog(tempDb(), clock);
    const id = log.begin(request({ op: 'image.upload', target: 'big.iso' })) ?? -1;
    clock.now = 3_000;
    log.stop();
    expect(repo.get(id)).toMatchObject({ status: 'interrupted', durationMs: 2_000 });
    log.end(id, { status: 'failed', errorCode: 'client_gone' });
    expect(repo.get(id)?.status).toBe('interrupted');
  });

  it('prunes entries older than the retention at start and on each prune', () => {
    const file = tempDb();
    const clock = { now: 0 };
    const first = taskLog(file, clock, 2);
    const old = first.log.begin(request({ startedAt: 0 })) ?? -1;
    const recent = first.log.begin(request({ startedAt: 2 * DAY })) ?? -1;
    first.log.stop();

    clock.now = 2 * DAY + 1;
    const second = taskLog(file, clock, 2);
    expect(second.repo.get(old)).toBeUndefined();
    expect(second.repo.get(recent)).toBeDefined();
    clock.now = 4 * DAY + 1;
    second.log.prune();
    expect(second.repo.get(recent)).toBeUndefined();
  });

  it('keeps at most the newest rows it is told to, whatever their age', () => {
    const { log, repo } = taskLog(tempDb(), { now: 1 });
    const ids = [1, 2, 3, 4, 5].map(() => log.begin(request()) ?? -1);
    expect(repo.prune(0, 2)).toBe(3);
    expect(log.list({ limit: 50 }).tasks.map((t) => t.id)).toEqual([ids[4], ids[3]]);
  });

  it('filters by user, VM and result, newest first, in pages', () => {
    const { log } = taskLog(tempDb(), { now: 1 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = log.begin(request({ user: i % 2 === 0 ? 'admin' : 'ci-bot', vmId: `00000000000${i}` }));
      ids.push(id ?? -1);
      log.end(id ?? -1, { status: i < 3 ? 'ok' : 'failed' });
    }
    const of = (tasks: Task[]) => tasks.map((t) => t.id);
    expect(of(log.list({ user: 'ci-bot', limit: 50 }).tasks)).toEqual([ids[3], ids[1]]);
    expect(of(log.list({ vm: '000000000002', limit: 50 }).tasks)).toEqual([ids[2]]);
    expect(of(log.list({ result: 'failed', limit: 50 }).tasks)).toEqual([ids[4], ids[3]]);
    const page1 = log.list({ limit: 2 });
    expect(of(page1.tasks)).toEqual([ids[4], ids[3]]);
    expect(page1.users).toEqual(['admin', 'ci-bot']);
    const page2 = log.list({ limit: 2, before: page1.next });
    expect(of(page2.tasks)).toEqual([ids[2], ids[1]]);
    expect(log.list({ limit: 2, before: ids[1] }).next).toBeUndefined();
  });

  it('follows an image operation and a job on the bus until the job ends', () => {
    const { log, bus, repo } = taskLog(tempDb(), { now: 1 });
    const upload = log.begin(request({ op: 'image.upload', target: 'disk.qcow2', vmId: undefined })) ?? -1;
    bus.publish({ type: 'image.progress', name: 'other.qcow2', op: 'upload', done: 9, total: 10 });
    bus.publish({ type: 'image.progress', name: 'disk.qcow2', op: 'upload', done: 1, total: 4 });
    expect(repo.get(upload)?.progress).toBe(0.25);

    const save = log.begin(request({ op: 'vm.save' })) ?? -1;
    log.follow(save, { status: 'ok', httpStatus: 202, jobId: 'job1' });
    expect(repo.get(save)).toMatchObject({ status: 'running', httpStatus: 202, jobId: 'job1' });
    const progress = { fraction: 0.5, transferredBytes: 1, remainingBytes: 1, totalBytes: 2 };
    bus.publish({
      type: 'migration.updated',
      job: job({ progress: { ...progress, dirtyPagesRate: 0, passes: 1 } }),
    });
    expect(repo.get(save)?.progress).toBe(0.5);
    bus.publish({ type: 'migration.updated', job: job({ phase: 'failed', error: 'disk full' }) });
    expect(repo.get(save)).toMatchObject({ status: 'failed', error: 'disk full', httpStatus: 202 });
  });

  it('ends a task whose job ended before its answer named it', () => {
    const { log, bus, repo } = taskLog(tempDb(), { now: 1 });
    const id = log.begin(request({ op: 'vm.migrate' })) ?? -1;
    bus.publish({ type: 'migration.updated', job: job({ id: 'fast', phase: 'completed' }) });
    log.follow(id, { status: 'ok', httpStatus: 202, jobId: 'fast' });
    expect(repo.get(id)).toMatchObject({ status: 'ok', jobId: 'fast', httpStatus: 202 });
  });

  it('caps free text and never throws when it cannot record', () => {
    const file = tempDb();
    const { log, repo } = taskLog(file, { now: 1 });
    const id = log.begin(request({ user: 'u'.repeat(500), target: 't'.repeat(500) })) ?? -1;
    log.end(id, { status: 'failed', error: 'e'.repeat(5000) });
    const task = repo.get(id);
    expect(task?.user.length).toBe(64);
    expect(task?.target?.length).toBe(160);
    expect(task?.error?.length).toBe(300);

    const unanswered = log.begin(request()) ?? -1;
    dbs[0]?.close();
    expect(log.begin(request())).toBeUndefined();
    expect(() => log.end(unanswered, { status: 'ok' })).not.toThrow();
  });
});
