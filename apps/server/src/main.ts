import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFirstAdmin } from './auth/first-admin.ts';
import { UserService } from './auth/users.ts';
import { UsersRepo } from './auth/users-repo.ts';
import { ApiTokenStore } from './auth/api-tokens.ts';
import { Revocations } from './auth/revocations.ts';
import { SessionStore } from './auth/sessions.ts';
import { loadConfig } from './config.ts';
import { setDebugTiming } from './debug-timing.ts';
import { EventBus } from './events/bus.ts';
import { BridgeTaps } from './host/bridge-taps.ts';
import { HostCapabilities } from './host/capabilities.ts';
import { QemuAccess } from './host/qemu-access.ts';
import { QemuUser } from './host/qemu-user.ts';
import { createApp } from './http/app.ts';
import { Authenticator } from './http/auth-middleware.ts';
import { answerClientErrors } from './http/client-errors.ts';
import { refuseUnparsableTargets } from './http/edge.ts';
import { WebListener } from './http/listener.ts';
import { ImageService } from './images/image-service.ts';
import { MetricsHistory } from './metrics/history.ts';
import { MetricsService } from './metrics/metrics-service.ts';
import { MigrationService } from './migration/migration-service.ts';
import { dnsmasqUser, prepareNetworksDir } from './networks/dnsmasq-user.ts';
import { hostSubnets } from './networks/host-routes.ts';
import { NetworkRuntime } from './networks/network-runtime.ts';
import { LeaseAddresses } from './networks/lease-addresses.ts';
import { NetworkService } from './networks/network-service.ts';
import { networkPrivilegeProblem } from './networks/privilege.ts';
import { PeerService } from './peers/peer-service.ts';
import { PeersRepo } from './peers/peers-repo.ts';
import { preparePrivateDirs } from './store/data-dir.ts';
import { openDb } from './store/db.ts';
import { ConnectionsRepo } from './store/connections-repo.ts';
import { NetworksRepo } from './store/networks-repo.ts';
import { SettingsRepo } from './store/settings-repo.ts';
import { ServerName } from './host/server-name.ts';
import { VmsRepo } from './store/vms-repo.ts';
import { taskActors } from './tasks/task-actors.ts';
import { TaskLog } from './tasks/task-log.ts';
import { TasksRepo } from './tasks/tasks-repo.ts';
import { defineDemoGuest } from './vms/demo.ts';
import { NvramStore } from './vms/nvram.ts';
import { TpmStateStore } from './vms/tpm-state.ts';
import { runningUsersOf } from './vms/running-disks.ts';
import { guestsOnNetworkOf } from './vms/network-guests.ts';
import { ConnectionService } from './connections/connection-service.ts';
import { Engines } from './engine/engines.ts';
import { LibvirtEngine, LibvirtHost } from './engine/libvirt/index.ts';
import { QemuDirectEngine, QemuLauncher } from './engine/qemu-direct/index.ts';
import { GuestAutostart } from './vms/autostart.ts';
import { SerialLogs } from './vms/serial-log.ts';
import { VmService } from './vms/vm-service.ts';
import { monitorRoute, qmpRoute, serialPortRoutes } from './ws/console-sockets.ts';
import { eventsRoute } from './ws/events-socket.ts';
import { serialRoute } from './ws/serial-socket.ts';
import { vncRoute } from './ws/vnc-socket.ts';
import { CredentialSockets } from './ws/credential-sockets.ts';
import { recordConsoleSessions } from './ws/session-tasks.ts';
import { attachWebSockets } from './ws/upgrade.ts';
import { loadTlsMaterial, TlsSetupError, type TlsMaterial } from './tls/tls-material.ts';

// Both src/main.ts (dev) and dist/main.js (built) sit two levels below apps/.
const here = path.dirname(fileURLToPath(import.meta.url));
const config = loadConfig(process.env, path.resolve(here, '../../web/dist'));
setDebugTiming(config.debugTiming);

preparePrivateDirs([
  config.dataDir,
  config.imagesDir,
  config.runDir,
  config.nvramDir,
  config.tpmDir,
  config.statesDir,
  config.logsDir,
]);
// Before anything else starts: a TLS setup that cannot work stops the server with its reason.
const tls = await loadTlsMaterial(config.tls).catch((err: unknown) => {
  if (!(err instanceof TlsSetupError)) throw err;
  console.error(`virtweb: cannot start: ${err.message}`);
  process.exit(1);
});
const db = openDb(config.dbPath);
const settings = new SettingsRepo(db);
const revocations = new Revocations();
const sessions = new SessionStore(db, revocations);
const tokens = new ApiTokenStore(db, revocations);
const auth = new Authenticator(sessions, tokens);
const users = new UserService(new UsersRepo(db), sessions);
const setup = await ensureFirstAdmin(users, config.password, config.firstRun, (line) => console.log(line));

const bus = new EventBus();
// Before anything that publishes a job's progress: tasks left running by the last run are marked interrupted.
const tasks = new TaskLog(new TasksRepo(db), bus, config.taskRetentionDays);
tasks.start();
const qemuAccess = new QemuAccess(new QemuUser(config.qemuUser), config.dataDir);
const host = new HostCapabilities(
  config.qemuBinary,
  config.accel,
  config.imagesDir,
  qemuAccess,
  config.ovmfDir,
  config.usbSysfs,
);
const images = new ImageService(config.imagesDir, config.qemuImgBinary, bus, config.imageLimits);
await images.init();
const nvram = new NvramStore(config.nvramDir);
const tpmStates = new TpmStateStore(config.tpmDir);
// Before the launcher and before guests are adopted and autostarted: a guest's NIC may need its network's
// bridge (`networks` is the launcher's ManagedNetworks).
await prepareNetworksDir(config.networksDir);
const networks = new NetworkService({
  repo: new NetworksRepo(db),
  runtime: new NetworkRuntime(config.networksDir, () => dnsmasqUser(config.dataDir)),
  privilegeProblem: networkPrivilegeProblem(),
  hostSubnets,
  log: (line) => console.log(line),
  changed: (name) => bus.publish({ type: 'networks.changed', name }),
});
await networks.atServerStart();
if (config.defaultNetwork && settings.get('default_network') === undefined) {
  // Once per data dir: a `default` deleted by the user stays deleted; one that could not be made says why.
  const outcome = await networks.createDefault();
  if (outcome === 'default') settings.set('default_network', 'created');
  else console.log(`virtweb: no default network: ${outcome}`);
}
const qemuDirect = new QemuDirectEngine(
  new QemuLauncher(
    config.qemuBinary,
    config.runDir,
    images,
    host,
    nvram,
    tpmStates,
    qemuAccess,
    new BridgeTaps(),
    networks,
  ),
  qemuAccess,
);
const engines = new Engines([qemuDirect]);
const vmsRepo = new VmsRepo(db);
// Connections to libvirt hosts: each one's engine is built here and added to the engines while it exists.
const connections = new ConnectionService(
  new ConnectionsRepo(db),
  engines,
  (uri) => new LibvirtEngine(new LibvirtHost(uri), config.runDir, images, qemuAccess, config.qemuBinary),
  (uri) =>
    vmsRepo
      .list()
      .filter((r) => r.engine.connection === uri)
      .map((r) => r.definition.name),
);
connections.atServerStart();
const vms = new VmService(
  vmsRepo,
  images,
  engines,
  bus,
  host,
  config.shutdownTimeoutMs,
  new SerialLogs(config.logsDir),
  nvram,
  tpmStates,
  qemuAccess,
);
images.setRunningUsers(runningUsersOf(vms));
networks.setGuestLookup(guestsOnNetworkOf(vms.repo));
// A guest's addresses from its network's DHCP leases too (not only from its guest agent).
const leaseAddresses = new LeaseAddresses(() => networks.leaseFiles());
vms.setLeaseAddresses((macs) => leaseAddresses.of(macs));
leaseAddresses.watch((macs) => vms.republishWithMacs(macs));
// The DNS names dnsmasq gives guests follow their names and NICs (rewritten, and signalled, only on a change).
bus.subscribe((e) => {
  if (e.type === 'vm.updated' || e.type === 'vm.deleted') void networks.guestsChanged();
});
await vms.adoptAll();
if (config.demo) await defineDemoGuest(settings, images, vms);
// The KVM probe takes seconds; run it now only when guests may need its verdict.
if (config.accel === 'auto') void host.kvm();

const metrics = new MetricsService(
  () => vms.sampledGuests(),
  bus,
  new MetricsHistory(db),
  (id) => vms.netNote(id),
);
metrics.start();
bus.subscribe((e) => {
  if (e.type === 'vm.deleted') metrics.forget(e.id);
});

const serverName = new ServerName(settings, config.name);
const peers = new PeerService(new PeersRepo(db), settings, bus, () => vms.list(), serverName);
peers.start();

const migrations = new MigrationService({
  vms,
  peers,
  host,
  bus,
  listenHost: config.host,
  statesDir: config.statesDir,
});
await migrations.init();
await migrations.adoptAll();

const app = createApp({
  serverName,
  tls: tls
    ? { fingerprint: tls.fingerprint, source: tls.source, names: tls.names, validTo: tls.validTo }
    : null,
  sessions,
  users,
  setup,
  auth,
  tokens,
  peers,
  settings,
  host,
  images,
  vms,
  metrics,
  migrations,
  tasks,
  networks,
  connections,
  webDir: config.webDir,
  trustProxy: config.trustProxy,
  edgeTimeouts: config.edgeTimeouts,
});
const serverOptions: http.ServerOptions = {
  headersTimeout: config.edgeTimeouts.headersMs,
  // NOTE: Node's requestTimeout is a total one that would cut off multi-GiB image uploads; bodies have their
  // own deadline (JSON) or idle timeout (uploads) in http/edge.ts.
  requestTimeout: 0,
  // How often Node looks for connections past headersTimeout (its default, 30 s, would add up to that).
  connectionsCheckingInterval: Math.min(1000, config.edgeTimeouts.headersMs),
};
const handler = refuseUnparsableTargets(app);
const server = tls
  ? https.createServer(
      { ...serverOptions, cert: tls.cert, key: tls.key, handshakeTimeout: config.edgeTimeouts.headersMs },
      handler,
    )
  : http.createServer(serverOptions, handler);
const listener = new WebListener(server, tls !== undefined, config.edgeTimeouts.headersMs);
answerClientErrors(server);
attachWebSockets(
  server,
  auth,
  [
    eventsRoute(bus),
    serialRoute(vms),
    vncRoute(vms),
    monitorRoute(vms),
    qmpRoute(vms),
    ...serialPortRoutes(vms),
  ],
  new CredentialSockets(revocations),
  recordConsoleSessions(tasks, taskActors(tokens, vms)),
);
const autostart = new GuestAutostart(vms, settings, config.bootIdFile);
void listener.listen(config.port, config.host).then(
  (port) => {
    const where = config.host.includes(':') ? `[${config.host}]` : config.host;
    console.log(`virtweb listening on ${tls ? 'https' : 'http'}://${where}:${port}`);
    if (tls) printCertificate(tls);
    // After adoption (above): only guests found not running are started.
    void autostart.atServerStart();
  },
  (err: unknown) => {
    console.error(`virtweb: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    process.exit(1);
  },
);

function printCertificate(t: TlsMaterial): void {
  if (t.generatedNow)
    console.log(`virtweb: made a self-signed certificate for ${t.names.join(', ')}: ${t.certPath}`);
  console.log(`virtweb: TLS certificate (${t.certPath}) SHA-256 fingerprint ${t.fingerprint}`);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const guests = config.shutdownGuests ? 'guests are shut down' : 'guests keep running';
  console.log(`virtweb: ${signal}, stopping the server (${guests})`);
  // Before connections close: a request cut off by the server going is interrupted, not failed.
  tasks.stop();
  listener.close();
  if (config.shutdownGuests) {
    console.log('virtweb: shutting the guests down first (VIRTWEB_SHUTDOWN_GUESTS=1)');
    // The escalation after an ACPI shutdown takes up to the timeout plus quit/SIGTERM/SIGKILL.
    await autostart.atServerStop(config.shutdownTimeoutMs + 15_000);
  }
  metrics.stop();
  leaseAddresses.stop();
  peers.stop();
  migrations.stop();
  await vms.detachAll();
  db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
