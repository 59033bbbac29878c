import { describe, expect, it } from 'vitest';
import type { Task, TaskPage } from '@virtweb/protocol';
import { withTask } from './taskPages.ts';

const task = (id: number, over: Partial<Task> = {}): Task => ({
  id,
  op: 'vm.start',
  route: 'POST /api/vms/:id/start',
  user: 'admin',
  via: 'session',
  scope: 'admin',
  client: '127.0.0.1',
  vmId: '0123456789ab',
  status: 'running',
  startedAt: new Date(id).toISOString(),
  ...over,
});

const page = (tasks: Task[], users = ['admin']): TaskPage => ({ tasks, users });

describe('withTask', () => {
  it('puts a new task on top, with its user, when it matches the filters', () => {
    const pages = [page([task(2), task(1)])];
    const next = withTask(pages, task(3, { user: 'ci-bot' }), {});
    expect(next[0]?.tasks.map((t) => t.id)).toEqual([3, 2, 1]);
    expect(next[0]?.users).toEqual(['admin', 'ci-bot']);
    expect(withTask(pages, task(3, { user: 'ci-bot' }), { user: 'admin' })).toBe(pages);
    expect(withTask(pages, task(3), { vm: 'ffffffffffff' })).toBe(pages);
  });

  it('replaces a task where it is, and drops it when it no longer matches', () => {
    const pages = [page([task(3)]), page([task(2), task(1)])];
    const ended = task(2, { status: 'ok', durationMs: 5 });
    expect(withTask(pages, ended, {})[1]?.tasks[0]).toEqual(ended);
    expect(withTask(pages, ended, { result: 'running' })[1]?.tasks.map((t) => t.id)).toEqual([1]);
  });

  it('leaves an older task that is not loaded alone', () => {
    const pages = [page([task(5)])];
    expect(withTask(pages, task(4), {})).toBe(pages);
  });
});
