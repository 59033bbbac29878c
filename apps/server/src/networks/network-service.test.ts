// NetworkService's rules with a fake runtime (what is up on the host is another test's: test/networks.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Conflict } from '../domain/errors.ts';
import { openDb, type Db } from '../store/db.ts';
import { NetworksRepo } from '../store/networks-repo.ts';
import { NetworkFiles } from './dnsmasq.ts';
import type { ManagedDefinition, NetworkDefinition } from './network-definition.ts';
import type { NetworkGuest } from './network-guests.ts';
import type { NetworkStatus } from './network-runtime.ts';
import { NetworkService } from './network-service.ts';

const lab: ManagedDefinition = {
  name: 'lab',
  kind: 'nat',
  bridge: 'vwbr-lab',
  subnet: '10.9.0.0/24',
  dhcpRange: { start: '10.9.0.128', end: '10.9.0.254' },
  autostart: false,
  portForwards: [],
};

/** Records what would be brought up and down; `up` names are "running". */
class FakeRuntime {
  readonly running = new Set<string>();
  readonly calls: string[] = [];
  constructor(private readonly root: string) {}
  files(name: string) {
    return new NetworkFiles(path.join(this.root, name));
  }
  leaseFile(def: ManagedDefinition) {
    return this.files(def.name).leaseFile;
  }
  status(def: NetworkDefinition): Promise<NetworkStatus> {
    const running = this.running.has(def.name);
    return Promise.resolve({ running, problem: null, anyPart: running });
  }
  up(def: NetworkDefinition) {
    this.calls.push(`up ${def.name}`);
    this.running.add(def.name);
    return Promise.resolve();
  }
  down(def: NetworkDefinition) {
    this.calls.push(`down ${def.name}`);
    this.running.delete(def.name);
    return Promise.resolve();
  }
  removeFiles() {
    return Promise.resolve();
  }
}

describe('NetworkService', () => {
  let dir: string;
  let db: Db;
  let repo: NetworksRepo;
  let runtime: FakeRuntime;
  let guests: Record<string, NetworkGuest[]>;
  let service: NetworkService;
  let changes: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-networks-'));
    db = openDb(path.join(dir, 'virtweb.db'));
    repo = new NetworksRepo(db);
    runtime = new FakeRuntime(dir);
    guests = {};
    changes = [];
    service = new NetworkService({
      repo,
      runtime,
      privilegeProblem: null,
      hostSubnets: () => Promise.resolve([]),
      changed: (name) => changes.push(name),
    });
    service.setGuestLookup((name) => guests[name] ?? []);
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bridgeOf answers the bridge of a running network, Conflict for an unknown or stopped one', async () => {
    repo.insert(lab);
    await expect(service.bridgeOf('nosuch')).rejects.toThrow(Conflict);
    await expect(service.bridgeOf('lab')).rejects.toThrow(/not running/);
    runtime.running.add('lab');
    await expect(service.bridgeOf('lab')).resolves.toBe('vwbr-lab');
  });

  it('refuses to delete a network guests use (naming them) and to stop one a running guest uses', async () => {
    repo.insert(lab);
    guests.lab = [
      { name: 'web', macs: [], running: true },
      { name: 'db', macs: [], running: false },
    ];
    await expect(service.delete('lab')).rejects.toThrow(/used by web, db/);
    await expect(service.stop('lab')).rejects.toThrow(/running guests: web$/);
    guests.lab = [{ name: 'db', macs: [], running: false }];
    await service.stop('lab');
    expect(runtime.calls).toEqual(['down lab']);
    expect(changes).toEqual(['lab']);
  });

  it('writes the guests of each network into its hosts file when told they changed', async () => {
    repo.insert(lab);
    guests.lab = [{ name: 'Web 1', macs: ['52:54:00:00:00:01'], running: false }];
    await service.guestsChanged();
    expect(fs.readFileSync(runtime.files('lab').hostsFile, 'utf8')).toBe('52:54:00:00:00:01,web-1\n');
  });

  it('at server start brings up autostart networks and those found partly up, leaves the others', async () => {
    repo.insert(lab);
    repo.insert({ ...lab, name: 'auto', bridge: 'vwbr-auto', subnet: '10.8.0.0/24', autostart: true });
    await service.atServerStart();
    expect(runtime.calls).toEqual(['up auto']);
    const list = await service.list();
    expect(list.networks.map((n) => [n.name, n.state])).toEqual([
      ['auto', 'running'],
      ['lab', 'stopped'],
    ]);
  });

  it('says why without CAP_NET_ADMIN and refuses managed networks then', async () => {
    const unprivileged = new NetworkService({
      repo,
      runtime,
      privilegeProblem: 'no CAP_NET_ADMIN',
      hostSubnets: () => Promise.resolve([]),
    });
    expect(await unprivileged.list()).toMatchObject({ canManage: false, reason: 'no CAP_NET_ADMIN' });
    await expect(unprivileged.create({ name: 'x', kind: 'isolated', subnet: '10.7.0.0/24' })).rejects.toThrow(
      /no CAP_NET_ADMIN/,
    );
    await expect(unprivileged.createDefault()).resolves.toBe('no CAP_NET_ADMIN');
  });
});
