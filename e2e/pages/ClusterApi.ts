import { VirtwebServer } from '../fixtures/server.ts';
import type { VmAnswer } from './ApiClient.ts';

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * API calls from the test process to any of several servers (the page's ApiClient talks to one): pairing
 * servers as peers, creating and starting guests, reading where they are.
 */
export class ClusterApi {
  private constructor(
    private readonly server: VirtwebServer,
    private readonly cookie: string,
  ) {}

  static async login(server: VirtwebServer): Promise<ClusterApi> {
    return new ClusterApi(server, await server.cookie());
  }

  async call<T>(method: Method, path: string, expected: number, body?: unknown): Promise<T> {
    const res = await fetch(`${this.server.url}${path}`, {
      method,
      // As the web app sends it: from the server's own origin (the server refuses cross-site cookie requests).
      headers: { cookie: this.cookie, origin: this.server.url, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status !== expected) {
      throw new Error(`${method} ${path}: ${res.status} (expected ${expected}) ${text}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Makes `other` a peer of this server with a `peer` token created on `other` (what migration needs);
   * returns the peer's id and name.
   */
  async addPeer(other: VirtwebServer): Promise<{ id: string; name: string }> {
    const there = await ClusterApi.login(other);
    const body = { name: 'e2e', scope: 'peer' };
    const { token } = await there.call<{ token: string }>('POST', '/api/tokens', 201, body);
    return this.call('POST', '/api/peers', 201, { url: other.url, token });
  }

  async removePeer(id: string): Promise<void> {
    await this.call('DELETE', `/api/peers/${id}`, 204);
  }

  createVm(body: Record<string, unknown>): Promise<VmAnswer> {
    return this.call('POST', '/api/vms', 201, body);
  }

  vms(): Promise<VmAnswer[]> {
    return this.call('GET', '/api/vms', 200);
  }

  async start(id: string): Promise<void> {
    await this.call('POST', `/api/vms/${id}/start`, 202);
  }

  /** The state of the guest named `name` on this server, or undefined when it has none of that name. */
  async stateOf(name: string): Promise<string | undefined> {
    return (await this.vms()).find((v) => v.name === name)?.state;
  }
}

/** The small test guest: boots tinylinux from the CD that every e2e server has in its images. */
export const testGuest = (name: string) => ({
  name,
  memoryMiB: 128,
  vcpus: 1,
  machine: 'pc',
  cdrom: 'tinylinux.iso',
  nics: [],
  disks: [],
});

export interface PairedServers {
  /** The second server, a peer of the first. */
  other: VirtwebServer;
  here: ClusterApi;
  there: ClusterApi;
  peer: { id: string; name: string };
}

/**
 * Starts a second server, makes it a peer of `server` for the time of `run`, then removes the peer (the
 * fixture's server lives on for the next test of the file) and stops the second server.
 */
export async function withPeer(
  server: VirtwebServer,
  run: (p: PairedServers) => Promise<void>,
): Promise<void> {
  const other = await VirtwebServer.start();
  try {
    const here = await ClusterApi.login(server);
    const there = await ClusterApi.login(other);
    const peer = await here.addPeer(other);
    try {
      await run({ other, here, there, peer });
    } finally {
      await here.removePeer(peer.id);
    }
  } finally {
    await other.stop();
  }
}
