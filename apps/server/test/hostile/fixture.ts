import fs from 'node:fs/promises';
import path from 'node:path';
import { SESSION_COOKIE } from '@virtweb/protocol';
import { copyGuestKernel, makeDataDir, TestServer } from '../harness.ts';
import { disposeServer } from '../server-fixture.ts';
import { rawRequest, type RawRequest, type RawResponse } from './raw-http.ts';

/** Token scopes (one per token); a browser session counts as admin and may also manage tokens and peers. */
export const SCOPES = ['read', 'operate', 'admin', 'peer'] as const;
export type Scope = (typeof SCOPES)[number];

/** Credentials that must get a 401: none, made up, malformed, ended. */
export const UNAUTHENTICATED = [
  'none',
  'badCookie',
  'badBearer',
  'emptyBearer',
  'basicAuth',
  'loggedOut',
  'revoked',
] as const;

/** Every way a request can present itself. */
export const WHO = [...UNAUTHENTICATED, 'session', ...SCOPES] as const;
export type Who = (typeof WHO)[number];

/** What the cases aim at: one of each kind of object, and names that exist nowhere. */
export interface Targets {
  stoppedId: string;
  runningId: string;
  /** A well-formed VM id no VM has. */
  unknownId: string;
  disk: string;
  iso: string;
  kernel: string;
  initrd: string;
  state: string;
  /** This server's own base URL (a peer URL that answers). */
  origin: string;
  /** Whether POST /api/tokens takes a `scope` (see {@link Fixture.scopedTokens}). */
  scopedTokens: boolean;
}

const FIXTURE_STATE = 'fixture.vmstate.zst';
const GUEST = { memoryMiB: 256, vcpus: 1, cdrom: 'tinylinux.iso', boot: 'cdrom', nics: [] };

/**
 * One server for the whole hostile suite: a stopped VM with a qcow2 disk, a running guest (CD only, so no
 * image changes while it runs), the test ISO and kernel, a saved state, and a token of each scope.
 */
export class Fixture {
  server!: TestServer;
  port = 0;
  origin = '';
  cookie = '';
  loggedOutCookie = '';
  tokens = {} as Record<Scope | 'revoked', string>;
  /** False while the server does not take `scope` on POST /api/tokens (every token then has full access). */
  scopedTokens = true;
  t!: Targets;
  private baseline = '';
  private spare = '';

  async start(): Promise<void> {
    const dataDir = await makeDataDir(true);
    await copyGuestKernel(dataDir);
    await writeSavedState(path.join(dataDir, 'states'));
    this.server = await new TestServer(dataDir).start();
    this.port = Number(new URL(this.server.url).port);
    this.origin = this.server.url;
    this.cookie = await this.login();
    await this.must('POST', '/api/images', { name: 'disk.qcow2', format: 'qcow2', size: '16M' }, 201);
    const disks = [{ image: 'disk.qcow2' }];
    const stopped = await this.must('POST', '/api/vms', { name: 'stopped', ...GUEST, disks }, 201);
    // Two serial ports: ttyS1's console is one of the websockets under test.
    const running = await this.must(
      'POST',
      '/api/vms',
      { name: 'running', ...GUEST, devices: { serialPorts: 2 } },
      201,
    );
    const runningId = (running.json as { id: string }).id;
    await this.must('POST', `/api/vms/${runningId}/start`, undefined, 202);
    await this.waitState(runningId, 'running');
    for (const scope of SCOPES) this.tokens[scope] = await this.createToken(`hostile-${scope}`, scope);
    this.tokens.revoked = await this.createToken('hostile-revoked', 'admin');
    const listed = (await this.must('GET', '/api/tokens', undefined, 200)).json as {
      id: string;
      name: string;
    }[];
    const revokedId = listed.find((x) => x.name === 'hostile-revoked')?.id ?? '';
    await this.must('DELETE', `/api/tokens/${revokedId}`, undefined, 204);
    this.loggedOutCookie = await this.login();
    await this.must('DELETE', '/api/session', undefined, 204, this.loggedOutCookie);
    this.t = {
      stoppedId: (stopped.json as { id: string }).id,
      runningId,
      unknownId: 'fedcba987654',
      disk: 'disk.qcow2',
      iso: 'tinylinux.iso',
      kernel: 'tinylinux.vmlinuz',
      initrd: 'tinylinux.initrd',
      state: FIXTURE_STATE,
      origin: this.origin,
      scopedTokens: this.scopedTokens,
    };
    this.baseline = await this.cheapSnapshot();
  }

  async stop(): Promise<void> {
    await disposeServer(this.server);
  }

  /**
   * A session other than the fixture's, for cases that may log out: the same one until a case ended it
   * (a login costs a scrypt hash, too slow to pay for every such case).
   */
  async spareSession(): Promise<string> {
    if (this.spare && (await this.json('GET', '/api/session', undefined, this.spare)).status === 200)
      return this.spare;
    this.spare = await this.login();
    return this.spare;
  }

  /** A fresh browser session. */
  async login(): Promise<string> {
    const res = await this.send({
      method: 'POST',
      path: '/api/session',
      headers: { 'content-type': 'application/json', origin: this.origin },
      body: JSON.stringify({ password: this.server.password }),
    });
    const cookie = (res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    if (res.status !== 204 || !cookie) throw new Error(`login: ${res.status} ${res.body.toString()}`);
    return cookie;
  }

  send(req: RawRequest): Promise<RawResponse> {
    return rawRequest(this.port, req);
  }

  /** The headers that authenticate as `who` (a cookie request also says where it comes from). */
  auth(who: Who, cookie = this.cookie): Record<string, string> {
    const same = { origin: this.origin };
    switch (who) {
      case 'none':
        return same;
      case 'badCookie':
        return { ...same, cookie: `${SESSION_COOKIE}=${'0'.repeat(64)}` };
      case 'badBearer':
        return { authorization: `Bearer vwt_${'A'.repeat(43)}` };
      case 'emptyBearer':
        return { authorization: 'Bearer ' };
      case 'basicAuth':
        return {
          authorization: `Basic ${Buffer.from(`admin:${this.server.password ?? ''}`).toString('base64')}`,
        };
      case 'loggedOut':
        return { ...same, cookie: this.loggedOutCookie };
      case 'revoked':
        return { authorization: `Bearer ${this.tokens.revoked}` };
      case 'session':
        return { ...same, cookie };
      default:
        return { authorization: `Bearer ${this.tokens[who]}` };
    }
  }

  /** A JSON request as the logged-in browser sends it. */
  async json(method: string, urlPath: string, body?: unknown, cookie = this.cookie): Promise<RawResponse> {
    return this.send({
      method,
      path: urlPath,
      headers: {
        ...this.auth('session', cookie),
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /**
   * What a case must not change, cheap enough for every case: VM ids, names and states, and the images and
   * states dirs as files (hidden ones too) with their sizes and modification times.
   */
  async cheapSnapshot(): Promise<string> {
    const res = await this.json('GET', '/api/vms');
    if (res.status !== 200) throw new Error(`GET /api/vms with the admin session answered ${res.status}`);
    const vms = res.json as { id: string; name: string; state: string }[];
    const dirs = await Promise.all(
      ['images', 'states'].map((d) => listDir(path.join(this.server.dataDir, d))),
    );
    return JSON.stringify({ vms: vms.map((v) => `${v.id} ${v.name} ${v.state}`).sort(), dirs });
  }

  /** The API's own view (qemu-img info of each image, the saved states), for the check after each group. */
  async fullSnapshot(): Promise<string> {
    const images = (await this.json('GET', '/api/images')).json as Record<string, unknown>[];
    const states = (await this.json('GET', '/api/saved-states')).json as Record<string, unknown>[];
    return JSON.stringify({
      images: images.map((i) => [i.name, i.format, i.virtualSize, i.actualSize, i.usedBy, i.problem]),
      states,
      cheap: await this.cheapSnapshot(),
    });
  }

  /**
   * After a case: a problem when the server no longer answers (or the admin session is gone), or when
   * something changed that `mustNotChange` says may not (the new state becomes the baseline either way).
   */
  async afterCase(mustNotChange: boolean): Promise<string | undefined> {
    let now: string;
    try {
      now = await this.cheapSnapshot();
    } catch (err) {
      return `the server does not answer: ${(err as Error).message}\n${this.server.output.slice(-1500)}`;
    }
    if (now === this.baseline || !mustNotChange) {
      this.baseline = now;
      return undefined;
    }
    const before = this.baseline;
    this.baseline = now;
    return `changed:\n  before ${before}\n  after  ${now}`;
  }

  private async createToken(name: string, scope: Scope): Promise<string> {
    let res = await this.json('POST', '/api/tokens', { name, scope });
    if (res.status === 400) {
      // NOTE: before token scopes exist the schema is strict and refuses `scope`: an unscoped token instead.
      this.scopedTokens = false;
      res = await this.json('POST', '/api/tokens', { name });
    }
    if (res.status !== 201) throw new Error(`token ${name}: ${res.status} ${res.body.toString()}`);
    return (res.json as { token: string }).token;
  }

  private async must(
    method: string,
    urlPath: string,
    body: unknown,
    status: number,
    cookie = this.cookie,
  ): Promise<RawResponse> {
    const res = await this.json(method, urlPath, body, cookie);
    if (res.status !== status) throw new Error(`${method} ${urlPath}: ${res.status} ${res.body.toString()}`);
    return res;
  }

  private async waitState(id: string, state: string): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const vm = (await this.json('GET', `/api/vms/${id}`)).json as { state: string };
      if (vm.state === state) return;
      if (Date.now() - t0 > 30_000) throw new Error(`VM ${id} stayed ${vm.state}, wanted ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir).catch(() => [])).sort();
  return Promise.all(
    names.map(async (n) => {
      const st = await fs.lstat(path.join(dir, n)).catch(() => undefined);
      return `${n} ${st?.size ?? '?'} ${st?.mtimeMs ?? '?'}`;
    }),
  );
}

/** A saved state as a finished save leaves it (stream and sidecar), for a VM that no longer exists. */
async function writeSavedState(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FIXTURE_STATE);
  await fs.writeFile(file, Buffer.alloc(4096, 1));
  const sidecar = {
    vmId: 'aaaaaaaaaaaa',
    vmName: 'gone',
    createdAt: '2024-01-01T00:00:00.000Z',
    definition: {},
    accel: 'tcg',
    qemuVersion: '7.2.0',
    disks: [],
    streamBytes: 4096,
  };
  await fs.writeFile(`${file}.json`, JSON.stringify(sidecar));
}
