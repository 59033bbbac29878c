import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { HostTls } from '@virtweb/protocol';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { SetupCode } from '../auth/setup-code.ts';
import type { UserService } from '../auth/users.ts';
import type { HostCapabilities } from '../host/capabilities.ts';
import type { ImageService } from '../images/image-service.ts';
import type { MetricsService } from '../metrics/metrics-service.ts';
import type { ServerName } from '../host/server-name.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';
import { taskActors } from '../tasks/task-actors.ts';
import type { TaskLog } from '../tasks/task-log.ts';
import type { VmService } from '../vms/vm-service.ts';
import type { TrustProxy } from '../config.ts';
import { refuseCrossSite, requireAuth, type Authenticator } from './auth-middleware.ts';
import { closeIfBodyPending, jsonBody, rejectMalformedPath } from './edge.ts';
import { JSON_BODY_LIMIT, SESSION_BODY_LIMIT, type EdgeTimeouts } from './edge-limits.ts';
import { errorHandler, notFound } from './errors.ts';
import { hostRouter } from './host-router.ts';
import { hostUsbRouter } from './vm-usb-router.ts';
import { imagesRouter } from './images-router.ts';
import { hostMetricsRouter } from './metrics-router.ts';
import { migrationsRouter, recordPeerUploads } from './migrations-router.ts';
import { INCOMING_BODY_LIMIT } from '../migration/incoming-api.ts';
import type { MigrationService } from '../migration/migration-service.ts';
import type { ConnectionService } from '../connections/connection-service.ts';
import type { NetworkService } from '../networks/network-service.ts';
import { connectionsRouter } from './connections-router.ts';
import { networksRouter } from './networks-router.ts';
import { peerSelfRouter, peersRouter } from './peers-router.ts';
import type { PeerService } from '../peers/peer-service.ts';
import { sessionRouter } from './session-router.ts';
import { recordTasks } from './task-recorder.ts';
import { tasksRouter } from './tasks-router.ts';
import { accountRouter, usersRouter } from './users-router.ts';
import { vmsRouter } from './vms-router.ts';

export interface AppDeps {
  sessions: SessionStore;
  users: UserService;
  /** The first run's one-time code (VIRTWEB_FIRST_RUN=setup-code and no users yet), else undefined. */
  setup: SetupCode | undefined;
  auth: Authenticator;
  tokens: ApiTokenStore;
  peers: PeerService;
  settings: SettingsRepo;
  serverName: ServerName;
  /** The HTTPS certificate (GET /api/host); null: plain HTTP. */
  tls: HostTls | null;
  host: HostCapabilities;
  images: ImageService;
  vms: VmService;
  metrics: MetricsService;
  migrations: MigrationService;
  tasks: TaskLog;
  networks: NetworkService;
  connections: ConnectionService;
  webDir: string;
  /** Which proxies' X-Forwarded-For/-Proto count (the client address of the login throttle, Secure cookies). */
  trustProxy: TrustProxy;
  edgeTimeouts: EdgeTimeouts;
}

/** The Express app: JSON API under /api (session-guarded except login), the SPA everywhere else. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use((req, res, next) => {
    // Browsers keep to https for this host from then on (they ignore it while the certificate is not trusted).
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.use(rejectMalformedPath);
  const api = express.Router();
  const bodyMs = deps.edgeTimeouts.bodyMs;
  // No body is read before authentication but the login's, which is tiny (and refused cross-site first).
  api.use('/session', refuseCrossSite);
  api.post(['/session', '/session/setup'], jsonBody(SESSION_BODY_LIMIT, bodyMs));
  api.use('/session', sessionRouter(deps.sessions, deps.users, deps.setup));
  // Credentials, cross-site refusal and scope (ROUTE_SCOPES) come before any body is read.
  api.use(requireAuth(deps.auth));
  api.use(recordTasks({ tasks: deps.tasks, ...taskActors(deps.tokens, deps.vms) }));
  // The target side of a migration takes a UEFI variable store (base64) with the VM: its own, larger limit
  // (the parser below then finds the body read and passes).
  api.post('/migrations/incoming', jsonBody(INCOMING_BODY_LIMIT, bodyMs));
  api.use(jsonBody(JSON_BODY_LIMIT, bodyMs));
  api.use(peerSelfRouter(deps.peers));
  api.use(peersRouter(deps.peers, deps.tokens));
  api.use(usersRouter(deps.users));
  api.use(accountRouter(deps.users, deps.sessions));
  api.use(hostMetricsRouter(deps.metrics));
  api.use('/host', hostRouter(deps.host, deps.serverName, deps.tls));
  api.use('/host', hostUsbRouter(deps.vms.usb));
  api.put('/images/:name/upload', recordPeerUploads(deps.migrations.uploads));
  api.use('/images', imagesRouter(deps.images, deps.edgeTimeouts.uploadIdleMs));
  api.use(migrationsRouter(deps.migrations));
  api.use(tasksRouter(deps.tasks));
  api.use(networksRouter(deps.networks));
  api.use(connectionsRouter(deps.connections));
  api.use('/vms', vmsRouter(deps));
  api.use((req) => {
    throw notFound(`${req.method} /api${req.path}`);
  });
  app.use('/api', api);

  const index = path.join(deps.webDir, 'index.html');
  app.use(closeIfBodyPending);
  app.use(express.static(deps.webDir, { index: false, maxAge: '1h' }));
  app.get(/.*/, (_req, res) => {
    if (fs.existsSync(index)) res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } });
    else res.status(503).type('text').send('The web app is not built: run `npm run build`.');
  });
  app.use((req) => {
    throw notFound(`${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}
