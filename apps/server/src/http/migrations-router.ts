import { Router, type RequestHandler } from 'express';
import { MigrateRequestSchema, SaveStateRequestSchema } from '@virtweb/protocol';
import type { MigrationService } from '../migration/migration-service.ts';
import type { PeerUploads } from '../migration/peer-uploads.ts';
import { principalOf } from './auth-middleware.ts';
import { incomingRouter } from './incoming-router.ts';
import { parseOr400 } from './validate.ts';

/** `/api/vms/:id/{migrate,migrate/check,save}` (on the VMs router). */
export function vmMigrationRoutes(r: Router, migrations: MigrationService): void {
  r.post('/:id/migrate/check', async (req, res) => {
    const body = parseOr400(MigrateRequestSchema, req.body);
    res.json({ checks: await migrations.check(req.params.id, body) });
  });
  r.post('/:id/migrate', async (req, res) => {
    const body = parseOr400(MigrateRequestSchema, req.body);
    res.status(202).json(await migrations.migrate(req.params.id, body));
  });
  r.post('/:id/save', async (req, res) => {
    const body = parseOr400(SaveStateRequestSchema, req.body ?? {});
    res.status(202).json(await migrations.states.save(req.params.id, body.name));
  });
}

/**
 * `/api/migrations` (jobs; `incoming` for peers: a token, server to server) and `/api/saved-states`.
 */
export function migrationsRouter(migrations: MigrationService): Router {
  const r = Router();
  r.get('/migrations', (_req, res) => {
    res.json(migrations.jobs.list());
  });
  r.use(incomingRouter(migrations.incoming));
  // A peer takes back the disks its failed move uploaded (a `peer` token cannot delete images otherwise).
  r.delete('/migrations/incoming/uploads/:name', async (req, res) => {
    await migrations.uploads.remove(req.params.name, principalOf(res).id);
    res.status(204).end();
  });
  // A copying move replaces an old copy an earlier move left here: only a marked, unused one is deleted.
  r.delete('/migrations/incoming/old-copies/:name', async (req, res) => {
    await migrations.removeOldCopy(req.params.name);
    res.status(204).end();
  });
  r.post('/migrations/:jobId/cancel', (req, res) => {
    res.status(202).json(migrations.jobs.cancel(req.params.jobId));
  });

  r.get('/saved-states', async (_req, res) => {
    res.json(await migrations.states.list());
  });
  r.post('/saved-states/:name/restore', async (req, res) => {
    res.status(202).json(await migrations.states.restore(req.params.name));
  });
  r.delete('/saved-states/:name', async (req, res) => {
    await migrations.states.remove(req.params.name);
    res.status(204).end();
  });
  return r;
}

/** On `PUT /api/images/:name/upload`: notes an image that arrived with an API token (see PeerUploads). */
export function recordPeerUploads(uploads: PeerUploads): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    const name = req.params.name;
    if (principal.kind === 'token' && typeof name === 'string') {
      res.once('finish', () => {
        if (res.statusCode === 201) uploads.note(name, principal.id);
      });
    }
    next();
  };
}
