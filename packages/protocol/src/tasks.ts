import { z } from 'zod';
import { VmIdSchema } from './names.ts';
import { TokenScopeSchema } from './peers.ts';

/** Where a task stands: `interrupted` is one still running when the server stopped. */
export const TaskStatusSchema = z.enum(['running', 'ok', 'failed', 'interrupted']);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** Caps on what a task records of a request (free text is cut to these lengths). */
export const TASK_TEXT_LIMITS = { user: 64, client: 64, target: 160, error: 300, code: 64 } as const;

/**
 * One state-changing action (a non-GET API request) and, for a long job, its progress and end: who did what
 * to which target, from where, and how it ended. Never its body.
 */
export const TaskSchema = z.object({
  id: z.number().int(),
  /** The operation, e.g. `vm.start`, `image.convert`, `vm.migrate`. */
  op: z.string(),
  /** The route, e.g. `POST /api/vms/:id/start`. */
  route: z.string(),
  /** A logged-in user's name, or the API token's name. */
  user: z.string(),
  via: z.enum(['session', 'token']),
  scope: TokenScopeSchema,
  /** The client's address (as `VIRTWEB_TRUST_PROXY` lets it be told). */
  client: z.string(),
  /** What it acted on, in words: a VM's or image's name, a peer, a job. */
  target: z.string().optional(),
  /** The guest it concerns, when one of this server's. */
  vmId: z.string().optional(),
  status: TaskStatusSchema,
  /** The answer's status, once answered. */
  httpStatus: z.number().int().optional(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
  /** 0..1 while a long job runs and reports it. */
  progress: z.number().min(0).max(1).optional(),
  /** A migration, save or restore job the task follows after its answer. */
  jobId: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
});
export type Task = z.infer<typeof TaskSchema>;

export const MAX_TASKS_PAGE = 200;

/** `GET /api/tasks` query: filters (all optional) and paging, newest first (`before`: an id, exclusive). */
export const TaskQuerySchema = z.strictObject({
  user: z.string().min(1).max(TASK_TEXT_LIMITS.user).optional(),
  vm: VmIdSchema.optional(),
  result: TaskStatusSchema.optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TASKS_PAGE).default(50),
});
export type TaskQuery = z.output<typeof TaskQuerySchema>;
export type TaskQueryInput = z.input<typeof TaskQuerySchema>;

/** `GET /api/tasks` answer: the page and, when there are older ones, the `before` of the next page. */
export const TaskPageSchema = z.object({
  tasks: z.array(TaskSchema),
  next: z.number().int().optional(),
  /** Every user that appears in the log, for the filter. */
  users: z.array(z.string()),
});
export type TaskPage = z.infer<typeof TaskPageSchema>;
