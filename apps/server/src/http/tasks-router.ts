import { Router } from 'express';
import { TaskQuerySchema } from '@virtweb/protocol';
import type { TaskLog } from '../tasks/task-log.ts';
import { parseOr400 } from './validate.ts';

/** `GET /api/tasks?user=&vm=&result=&before=&limit=`: the task log, newest first. */
export function tasksRouter(tasks: TaskLog): Router {
  const r = Router();
  r.get('/tasks', (req, res) => {
    res.json(tasks.list(parseOr400(TaskQuerySchema, req.query)));
  });
  return r;
}
