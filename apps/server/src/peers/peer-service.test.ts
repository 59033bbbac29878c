import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostInfo } from '@virtweb/protocol';
import { EventBus } from '../events/bus.ts';
import { ServerName } from '../host/server-name.ts';
import { openDb, type Db } from '../store/db.ts';
import { SettingsRepo } from '../store/settings-repo.ts';
import { PeerService } from './peer-service.ts';
import { PeersRepo } from './peers-repo.ts';

/** A peer on loopback that answers what a health check asks, with the display name it is given. */
function fakePeer(): { url: () => string; rename: (name: string | undefined) => void; close: () => void } {
  let name: string | undefined = 'bravo';
  const host = (): HostInfo => ({
    hostname: 'b-host',
    ...(name === undefined ? {} : { name }),
    qemu: { version: '7.2.22', binary: 'qemu-system-x86_64' },
    accel: {
      default: 'auto',
      auto: 'tcg',
      kvm: {
        present: false,
        usable: false,
        reason: 'no',
        cpuFlag: null,
        devKvm: { exists: false, accessible: false },
        probeMs: null,
      },
    },
    cpus: 2,
    memoryBytes: 2 ** 30,
    network: { bridges: [], taps: [] },
    firmware: { uefi: false, secureBoot: false },
  });
  const server = http.createServer((req, res) => {
    const body =
      req.url === '/api/peers/self'
        ? { serverId: 'b-id', hostname: 'b-host', ...(name ? { name } : {}) }
        : req.url === '/api/host'
          ? host()
          : req.url === '/api/vms'
            ? []
            : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: 'no' } }));
  });
  server.listen(0, '127.0.0.1');
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rename: (n) => (name = n),
    close: () => server.close(),
  };
}

describe('PeerService display names', () => {
  let dir: string;
  let db: Db;
  const peer = fakePeer();

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-peers-'));
    db = openDb(path.join(dir, 'virtweb.db'));
  });
  afterAll(() => {
    db.close();
    peer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names a peer by its display name, follows a rename at the next check, and keeps it for an older peer', async () => {
    const settings = new SettingsRepo(db);
    const name = new ServerName(settings);
    const peers = new PeerService(new PeersRepo(db), settings, new EventBus(), () => [], name);
    expect(peers.identity).toMatchObject({ hostname: os.hostname(), name: os.hostname() });
    name.set('alpha');
    expect(peers.identity.name).toBe('alpha');
    expect((await peers.guestsByHost())[0]?.name).toBe('alpha');

    const added = await peers.add(peer.url(), 'vwt_x');
    expect(added.name).toBe('bravo');
    peer.rename('bravo-2');
    await peers.checkAll();
    expect(peers.list()[0]?.name).toBe('bravo-2');
    // An older virtweb sends no display name: the name it had stays.
    peer.rename(undefined);
    await peers.checkAll();
    expect(peers.list()[0]?.name).toBe('bravo-2');
  });
});
