import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { pinnedAgent } from '../src/peers/pinned-tls.ts';
import { STORE_ID_FILE } from '../src/images/store-id.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TEST_ISO = process.env.VIRTWEB_TEST_ISO ?? path.join(REPO, '.cache/tinylinux.iso');
export const READY = 'virtweb test guest ready';

/** A path for a data dir in the temp dir that does not exist yet (for `makeDataDir(…, dir)`). */
export function newDataDirPath(): string {
  return path.join(os.tmpdir(), `vw-${crypto.randomBytes(6).toString('hex')}`);
}

/**
 * A fresh data dir (at `dir`, which must not exist yet, or a new one in the temp dir); with the test guest ISO
 * copied in when asked.
 */
export async function makeDataDir(withIso = false, dir?: string): Promise<string> {
  if (dir === undefined) dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-'));
  else await fs.mkdir(dir, { mode: 0o700 }); // like mkdtemp: fails if it exists
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  if (withIso) {
    await fs.access(TEST_ISO).catch(() => {
      throw new Error(`test guest ${TEST_ISO} is missing: run ./scripts/setup`);
    });
    await fs.copyFile(TEST_ISO, path.join(dir, 'images/tinylinux.iso'));
  }
  return dir;
}

/** Copies the test guest's kernel and initramfs (tinylinux.vmlinuz, tinylinux.initrd) into the images dir. */
export async function copyGuestKernel(dataDir: string): Promise<void> {
  for (const f of ['tinylinux.vmlinuz', 'tinylinux.initrd'])
    await fs.copyFile(path.join(REPO, '.cache', f), path.join(dataDir, 'images', f));
}

/** The entries of an images dir, sorted, without the store's id file (every server writes it on its first start). */
export async function imagesDirEntries(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n !== STORE_ID_FILE).sort();
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: { get(name: string): string | null; getSetCookie(): string[] };
}

/**
 * A real server process (source run through tsx) on a free port with its own data dir. Plain HTTP unless its
 * environment says `VIRTWEB_TLS: 'on'`; then its requests and websockets trust the certificate it printed.
 */
export class TestServer {
  url = '';
  cookie = '';
  output = '';
  /** The SHA-256 fingerprint of its certificate (the line it prints at start), when it speaks TLS. */
  fingerprint: string | undefined;
  private proc: ChildProcess | undefined;

  constructor(
    readonly dataDir: string,
    /** null: let the server generate one. */
    readonly password: string | null = crypto.randomBytes(8).toString('hex'),
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<this> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VIRTWEB_PORT: '0',
      VIRTWEB_HOST: '127.0.0.1',
      VIRTWEB_DATA_DIR: this.dataDir,
      VIRTWEB_ACCEL: 'tcg',
      VIRTWEB_DEMO: '0',
      // Tests run as root: no `default` network on the host unless a test asks for one.
      VIRTWEB_DEFAULT_NETWORK: 'off',
      VIRTWEB_SHUTDOWN_TIMEOUT: '5',
      // Most tests speak plain HTTP (raw sockets, fetch); TLS has its own tests (useServer({ tls: true })).
      VIRTWEB_TLS: 'off',
      ...this.env,
    };
    if (this.password === null) delete env.VIRTWEB_PASSWORD;
    else env.VIRTWEB_PASSWORD = this.password;
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'apps/server/src/main.ts')], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    // Started again (a restart): only this run's "listening" line counts.
    const from = this.output.length;
    proc.stderr.on('data', (c: Buffer) => (this.output += c.toString()));
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.output}`)), 30_000);
      proc.stdout.on('data', (c: Buffer) => {
        this.output += c.toString();
        const out = this.output.slice(from);
        const m = /virtweb listening on (https?:\/\/\S+)/.exec(out);
        const fingerprint = /SHA-256 fingerprint (\S+)/.exec(out)?.[1];
        if (m?.[1] && (m[1].startsWith('http:') || fingerprint !== undefined)) {
          clearTimeout(timer);
          this.fingerprint = fingerprint;
          resolve(m[1]);
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${this.output}`));
      });
    });
    return this;
  }

  async login(password = this.password ?? ''): Promise<void> {
    const res = await this.api('POST', '/api/session', { password });
    if (res.status !== 204) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }

  /**
   * A request with the session cookie, as the web app sends it: from this server's origin, and JSON (the
   * server refuses other state-changing cookie requests as cross-site).
   */
  api(method: string, urlPath: string, body?: unknown, cookie = this.cookie): Promise<ApiResponse> {
    return this.request(method, urlPath, body, { cookie, origin: this.url });
  }

  /** A request with an API token (`Authorization: Bearer`), as a peer or a script sends it. */
  bearer(method: string, urlPath: string, token: string, body?: unknown): Promise<ApiResponse> {
    return this.request(method, urlPath, body, { authorization: `Bearer ${token}` });
  }

  /** Makes an API token with this scope (through the logged-in API); returns its id and secret. */
  async makeToken(scope: string, name = `test ${scope}`): Promise<{ id: string; token: string }> {
    const res = await this.api('POST', '/api/tokens', { name, scope });
    if (res.status !== 201) throw new Error(`make token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; token: string };
  }

  /**
   * Any request: these headers, JSON content type on all but GET, the body as JSON (a string as it is).
   * `signal` aborts it (e.g. a time limit).
   */
  async request(
    method: string,
    urlPath: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<ApiResponse> {
    const init = {
      method,
      headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    };
    const send = () =>
      this.fingerprint === undefined
        ? fetch(this.url + urlPath, init)
        : undiciFetch(this.url + urlPath, { ...init, dispatcher: pinnedAgent(this.fingerprint) });
    const res = await send().catch((err: unknown) => {
      // NOTE: a keep-alive race, not the server's answer: the server closed an idle connection (its 5 s
      // keep-alive) just as this starved test process reused it. Sent again once on a new connection, and only
      // while the server still runs (a crashed server fails the test as before).
      if (!keepAliveRace(err) || !this.isRunning()) throw err;
      console.warn(`harness: ${method} ${urlPath} met a closed keep-alive connection; sent again`);
      return send();
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Opens an authenticated websocket: the session cookie from the same origin unless told otherwise. */
  ws(urlPath: string, opts: { origin?: string; cookie?: string; token?: string } = {}): WebSocket {
    const headers =
      opts.token === undefined
        ? { cookie: opts.cookie ?? this.cookie, origin: opts.origin ?? this.url }
        : { authorization: `Bearer ${opts.token}` };
    const tls = this.fingerprint === undefined ? {} : { rejectUnauthorized: false };
    return new WebSocket(this.url.replace('http', 'ws') + urlPath, { headers, ...tls });
  }

  /** The server's process id (for /proc-based measurements). */
  pid(): number {
    if (this.proc?.pid === undefined) throw new Error('server not started');
    return this.proc.pid;
  }

  /** True from start() until the process exits, whatever ends it. */
  isRunning(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /**
   * Ends the server (SIGTERM, or SIGKILL as in a crash) and starts it again with the same data dir, password
   * and environment; logged in again.
   */
  async restart(how: 'stop' | 'kill9' = 'stop'): Promise<void> {
    await (how === 'kill9' ? this.kill9() : this.stop());
    await this.start();
    await this.login();
  }

  /** SIGKILL: the server dies at once, as in a crash; guests must survive it. */
  kill9(): Promise<void> {
    return this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await gone;
  }
}

/** undici's "other side closed" on a reused connection (the server had closed it while idle). */
function keepAliveRace(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'UND_ERR_SOCKET';
}

/** Collects what a websocket receives (text or bytes as latin1) and waits for a pattern in it. */
export class WsCollector {
  text = '';
  messages: string[] = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const s = data.toString('latin1');
      this.text += s;
      this.messages.push(s);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  async waitFor(pred: (c: this) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!pred(this)) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`timed out waiting for ${what}; got:\n${this.text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Kills every qemu whose command line mentions this data dir (test cleanup). */
export async function killGuestsOf(dataDir: string): Promise<void> {
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('qemu-system') && cmd.includes(dataDir)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Creates a VM through the API (defaults: 256 MiB, 1 vCPU, the test ISO as CD, no network) and returns its
 * answer; throws with the server's error when it is not 201.
 */
export async function createGuest<T = { id: string }>(
  server: TestServer,
  name: string,
  overrides: Record<string, unknown> = {},
): Promise<T> {
  const body = {
    name,
    memoryMiB: 256,
    vcpus: 1,
    cdrom: 'tinylinux.iso',
    nics: [],
    ...overrides,
  };
  const res = await server.api('POST', '/api/vms', body);
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** The `{ error: { code, message, details } }` of an error answer. */
export function apiError(body: unknown): {
  code?: string;
  message?: string;
  details?: { path: string; message: string }[];
} {
  return (body as { error?: ReturnType<typeof apiError> } | undefined)?.error ?? {};
}

/**
 * A file's owner/group/other permissions without its ACL (`getfacl`'s `user::`, `group::`, `other::`), e.g.
 * 0o600. NOTE: stat's group bits show the ACL mask once qemu's user has an entry, not the group's access.
 */
export function baseMode(file: string): number {
  const acl = execFileSync('getfacl', ['-cp', file], { encoding: 'utf8' });
  const bits = (entry: string) => {
    const perms = new RegExp(`^${entry}::([r-][w-][x-])$`, 'm').exec(acl)?.[1] ?? '---';
    return perms.split('').reduce((n, c) => n * 2 + (c === '-' ? 0 : 1), 0); // ASCII only: rwx-
  };
  return (bits('user') << 6) | (bits('group') << 3) | bits('other');
}
