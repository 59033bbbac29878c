import { describe, expect, it } from 'vitest';
import { TaskPageSchema, type Task } from '@virtweb/protocol';
import { apiError, createGuest, WsCollector } from './harness.ts';
import { MiB, partialUpload } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';
import { errorMessage, waitVm } from './storage-guest.ts';
import { until } from './until.ts';

// The task log against a real server and qemu (TCG): what each state-changing request leaves there, the
// filters, a job followed to its end, and jobs cut off by the server going away.
describe('task log', () => {
  const server = useServer({ withGuestIso: true });

  const tasks = async (query = ''): Promise<Task[]> => {
    const res = await server.api('GET', `/api/tasks${query}`);
    expect(res.status, errorMessage(res.body)).toBe(200);
    return TaskPageSchema.parse(res.body).tasks;
  };
  const taskOf = async (op: string, query = ''): Promise<Task | undefined> =>
    (await tasks(query)).find((t) => t.op === op);

  let id = '';

  it('records who did what to which target, from where, how it ended and how long it took', async () => {
    const guest = await createGuest<{ id: string }>(server, 'audited');
    id = guest.id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const again = await server.api('POST', `/api/vms/${id}/start`);
    expect(again.status).toBe(409);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    const image = await server.api('POST', '/api/images', { name: 'log.qcow2', format: 'qcow2', size: '1G' });
    expect(image.status).toBe(201);
    const bot = await server.makeToken('operate', 'ci-bot');
    const refused = await server.bearer('DELETE', '/api/images/missing.qcow2', bot.token);
    expect(refused.status).toBe(404);

    const log = await tasks();
    const vmTasks = log.filter((t) => t.vmId === id).map((t) => [t.op, t.status, t.httpStatus]);
    expect(vmTasks).toEqual([
      ['vm.poweroff', 'ok', 202],
      ['vm.start', 'failed', 409],
      ['vm.start', 'ok', 202],
      ['vm.create', 'ok', 201],
    ]);
    const failed = log.find((t) => t.op === 'vm.start' && t.status === 'failed');
    expect(failed).toMatchObject({
      user: 'admin',
      via: 'session',
      scope: 'admin',
      client: '127.0.0.1',
      target: 'audited',
      route: 'POST /api/vms/:id/start',
      errorCode: apiError(again.body).code,
    });
    expect(failed?.error).toBe(apiError(again.body).message);
    const started = log.find((t) => t.op === 'vm.start' && t.status === 'ok');
    expect(started?.durationMs).toBeGreaterThan(0);
    expect(Date.parse(started?.endedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(started?.startedAt ?? ''));
    expect(log.find((t) => t.op === 'image.create')).toMatchObject({ target: 'log.qcow2', status: 'ok' });
    expect(log.find((t) => t.op === 'image.delete')).toMatchObject({
      user: 'ci-bot',
      via: 'token',
      scope: 'operate',
      target: 'missing.qcow2',
      status: 'failed',
      httpStatus: 404,
      errorCode: 'not_found',
    });
    expect(log.find((t) => t.op === 'token.create')).toMatchObject({ target: 'ci-bot', status: 'ok' });
    // Reads are not tasks; secrets never reach the log.
    expect(log.some((t) => t.route.startsWith('GET '))).toBe(false);
    const text = JSON.stringify(log);
    expect(text).not.toContain(bot.token);
    expect(text).not.toContain(server.password ?? 'no password');
  }, 120_000);

  it('filters by user, VM and result, and refuses bad filters', async () => {
    expect((await tasks('?user=ci-bot')).map((t) => t.op)).toEqual(['image.delete']);
    expect(new Set((await tasks(`?vm=${id}`)).map((t) => t.vmId))).toEqual(new Set([id]));
    const failed = await tasks('?result=failed');
    expect(failed.map((t) => t.op).sort()).toEqual(['image.delete', 'vm.start']);
    const page = await server.api('GET', '/api/tasks?limit=2');
    const parsed = TaskPageSchema.parse(page.body);
    expect(parsed.tasks).toHaveLength(2);
    expect(parsed.users).toEqual(['admin', 'ci-bot']);
    const rest = await tasks(`?before=${String(parsed.next)}&limit=200`);
    expect(rest[0]?.id).toBeLessThan(parsed.tasks[1]?.id ?? 0);
    for (const bad of ['?result=bogus', '?vm=../x', '?user=a&user=b', '?limit=100000', '?secret=1']) {
      const res = await server.api('GET', `/api/tasks${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });

  it('records a monitor session from open to close, and one refused as busy', async () => {
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const monitor = new WsCollector(server.ws(`/api/vms/${id}/monitor`));
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 30_000);
    const second = new WsCollector(server.ws(`/api/vms/${id}/monitor`));
    await second.waitFor((c) => c.closed !== undefined, 'the busy refusal', 10_000);
    monitor.ws.close();
    const sessions = await until('both monitor sessions ended', async () => {
      const found = (await tasks(`?vm=${id}`)).filter((t) => t.op === 'vm.monitor');
      return found.length === 2 && found.every((t) => t.status !== 'running') ? found : undefined;
    });
    // Newest first: the refused one began second.
    expect(sessions.map((t) => [t.status, t.errorCode])).toEqual([
      ['failed', 'closed_4409'],
      ['ok', undefined],
    ]);
    expect(sessions[1]).toMatchObject({ route: 'WS /api/vms/:id/monitor', user: 'admin', target: 'audited' });
    expect(sessions[1]?.durationMs).toBeGreaterThan(0);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await waitVm(server, id, (v) => v.state === 'stopped', 'the guest powered off');
  }, 120_000);

  it('follows a save job after its 202 until the job ends', async () => {
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    const save = await server.api('POST', `/api/vms/${id}/save`, { name: 'audited-state' });
    expect(save.status, errorMessage(save.body)).toBe(202);
    const jobId = (save.body as { id: string }).id;
    const ended = await until(
      'the save task to end',
      async () => {
        const t = await taskOf('vm.save', `?vm=${id}`);
        return t && t.status !== 'running' ? t : undefined;
      },
      120_000,
    );
    expect(ended).toMatchObject({ status: 'ok', httpStatus: 202, jobId, target: 'audited' });
    await waitVm(server, id, (v) => v.state === 'stopped', 'the saved guest stopped');
  }, 180_000);

  it('marks an upload cut off by the server going (stopped or killed) as interrupted', async () => {
    for (const how of ['stop', 'kill9'] as const) {
      const name = `cut-${how}.raw`;
      const upload = await partialUpload(server, name, 256 * MiB, 4 * MiB);
      // Its first progress event (0 bytes) comes as it begins; the 4 MiB may all land within the next 200 ms.
      const running = await until('the upload task with its progress', async () => {
        const t = await taskOf('image.upload');
        return t?.target === name && t.status === 'running' && t.progress !== undefined ? t : undefined;
      });
      await server.restart(how);
      upload.breakOff();
      const after = (await tasks()).find((t) => t.id === running.id);
      expect(after, how).toMatchObject({ status: 'interrupted', op: 'image.upload', target: name });
      expect(after?.durationMs).toBeGreaterThan(0);
    }
  }, 120_000);
});
