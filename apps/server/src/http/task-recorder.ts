import type { RequestHandler, Response } from 'express';
import { TASK_TEXT_LIMITS } from '@virtweb/protocol';
import type { TaskActors } from '../tasks/task-actors.ts';
import type { TaskLog } from '../tasks/task-log.ts';
import { principalOf } from './auth-middleware.ts';
import { routeScopeOf } from './route-scopes.ts';
import { JOB_OPS, TASK_OPS, VM_MAKING_OPS } from './task-ops.ts';

export interface TaskRecorderDeps extends TaskActors {
  tasks: TaskLog;
}

/** What an answer names, picked from its JSON (never more: bodies may hold secrets, e.g. a new token). */
interface Named {
  id?: string;
  name?: string;
  vmId?: string;
}

/** An error answer's code and message, as http/errors.ts's sendError leaves them. */
export interface AnsweredError {
  code: string;
  message: string;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `:param` values of `path` by `pattern` (both split on `/`), decoded; a bad escape stays as it came. */
function paramsOf(pattern: string, path: string): [string, string][] {
  const names = pattern.split('/');
  const values = path.split('/');
  const params: [string, string][] = [];
  names.forEach((name, i) => {
    if (!name.startsWith(':')) return;
    const raw = (values[i] ?? '').slice(0, TASK_TEXT_LIMITS.target);
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // kept as sent
    }
    params.push([name.slice(1), value]);
  });
  return params;
}

function pick(body: unknown): Named {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const named: Named = {};
  for (const key of ['id', 'name', 'vmId'] as const) {
    const v = b[key];
    if (typeof v === 'string' && v.length <= TASK_TEXT_LIMITS.target) named[key] = v;
  }
  return named;
}

/** Keeps what the JSON answer names (see `pick`) for the task's end. */
function noteAnswer(res: Response, into: Named): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    Object.assign(into, pick(body));
    return json(body);
  };
}

/**
 * Records every state-changing API request (any method but GET/HEAD/OPTIONS) that got past authentication in
 * the task log: who, from where, which route and target when it begins; its status and error code when
 * answered, or `failed` when the client went away first. A job the answer names (a migration, a save) keeps
 * the task running until the job ends. Nothing of the body is kept; recording never fails the request.
 */
export function recordTasks(deps: TaskRecorderDeps): RequestHandler {
  return (req, res, next) => {
    if (READS.has(req.method)) {
      next();
      return;
    }
    try {
      const path = req.baseUrl + req.path;
      const route = routeScopeOf(req.method, path);
      const key = route ? `${route.method} ${route.path}` : `${req.method} (unknown route)`;
      const op = TASK_OPS[key] === undefined ? key : TASK_OPS[key];
      if (op === null) {
        next();
        return;
      }
      const params = route ? paramsOf(route.path, path) : [];
      const vmId = path.startsWith('/api/vms/') ? params.find(([n]) => n === 'id')?.[1] : undefined;
      const target = params
        .filter(([n]) => n !== 'action')
        .map(([n, v]) => (n === 'id' && v === vmId ? (deps.vmName(v) ?? v) : v))
        .join(' / ');
      const principal = principalOf(res);
      const id = deps.tasks.begin({
        op,
        route: key,
        user: deps.userOf(principal),
        via: principal.kind,
        scope: principal.scope,
        client: req.ip ?? req.socket.remoteAddress ?? '',
        target: target === '' ? undefined : target,
        vmId,
        startedAt: Date.now(),
      });
      if (id !== undefined) {
        const named: Named = {};
        noteAnswer(res, named);
        const done = (): void => {
          res.off('finish', done);
          res.off('close', done);
          answered(deps.tasks, id, op, res, named, target === '');
        };
        res.on('finish', done);
        res.on('close', done);
      }
    } catch (err) {
      console.error('virtweb: the task log could not record a request', err);
    }
    next();
  };
}

function answered(
  tasks: TaskLog,
  id: number,
  op: string,
  res: Response,
  named: Named,
  untargeted: boolean,
): void {
  if (!res.writableFinished) {
    tasks.end(id, { status: 'failed', errorCode: 'client_gone', error: 'the client went away first' });
    return;
  }
  const error = res.locals.answeredError as AnsweredError | undefined;
  const ok = res.statusCode < 400;
  const end = {
    status: ok ? ('ok' as const) : ('failed' as const),
    httpStatus: res.statusCode,
    errorCode: ok ? undefined : error?.code,
    error: ok ? undefined : error?.message,
    target: untargeted ? named.name : undefined,
    vmId: ok && VM_MAKING_OPS.has(op) ? (named.vmId ?? named.id) : undefined,
  };
  if (ok && JOB_OPS.has(op) && named.id !== undefined) {
    tasks.follow(id, { ...end, vmId: named.vmId ?? end.vmId, jobId: named.id });
    return;
  }
  tasks.end(id, end);
}
