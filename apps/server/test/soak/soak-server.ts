// The server under soak: one real server process at a time on one data dir, killed (-9) and started again on
// it; every request goes through here so that no 5xx and no unanswered request goes unnoticed.
import WebSocket from 'ws';
import { TestServer } from '../harness.ts';
import type { OpLog } from './op-log.ts';

/** An answer, or none: `status` 0 when the connection failed (the server was killed or is restarting). */
export interface Answer {
  status: number;
  body: unknown;
  ms: number;
  /** The server generation the request was sent to (see {@link SoakServer.epoch}). */
  epoch: number;
  error?: string;
}

export interface RestartTiming {
  at: number;
  /** From the kill to the new process listening, and to its first answer of `GET /api/vms`. */
  listeningMs: number;
  answeredMs: number;
}

/** A request that got no answer within this time (server alive) is a hang. */
export const REQUEST_TIMEOUT_MS = 100_000;

export const errorCode = (body: unknown): string =>
  (body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
const errorMessage = (body: unknown): string =>
  (body as { error?: { message?: string } } | undefined)?.error?.message ?? '';

export class SoakServer {
  /** Bumped at each kill: requests sent to an older generation may have been cut off. */
  epoch = 0;
  readonly restarts: RestartTiming[] = [];
  private server: TestServer;
  private ready: Promise<void> = Promise.resolve();
  private killing = false;

  constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    private readonly log: OpLog,
    private readonly onViolation: (kind: string, text: string) => void,
  ) {
    this.server = new TestServer(dataDir, undefined, env);
  }

  async start(): Promise<void> {
    await this.server.start();
    await this.server.login();
  }

  get url(): string {
    return this.server.url;
  }

  /** The server process id, for the check that it never dies on its own. */
  pid(): number {
    return this.server.pid();
  }

  /** False when the process ended although the soak did not kill it. */
  aliveOrKilled(): boolean {
    return this.killing || this.server.isRunning();
  }

  /**
   * A request with the session; waits while the server restarts (`early`: only for the checks right after a
   * restart). Logged with `tag` (the operation).
   */
  async api(
    tag: string,
    method: string,
    urlPath: string,
    body?: unknown,
    opts: { early?: boolean } = {},
  ): Promise<Answer> {
    if (opts.early !== true) await this.ready;
    const epoch = this.epoch;
    const server = this.server;
    const t0 = Date.now();
    let answer: Answer;
    try {
      const res = await server.request(
        method,
        urlPath,
        body,
        { cookie: server.cookie, origin: server.url },
        AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      );
      answer = { status: res.status, body: res.body, ms: Date.now() - t0, epoch };
    } catch (err) {
      const error =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : '?';
      answer = { status: 0, body: undefined, ms: Date.now() - t0, epoch, error };
      if (err instanceof Error && err.name === 'TimeoutError' && this.epoch === epoch) {
        this.onViolation('hung request', `${method} ${urlPath}: no answer within ${REQUEST_TIMEOUT_MS} ms`);
      }
    }
    if (method !== 'GET' || answer.status !== 200) {
      const what =
        answer.status === 0
          ? `no answer (${answer.error})`
          : `${answer.status} ${errorCode(answer.body)} ${errorMessage(answer.body).slice(0, 160)}`.trim();
      this.log.line(
        `${tag} ${method} ${urlPath}${body === undefined ? '' : ` ${JSON.stringify(body)}`} -> ${what} (${answer.ms} ms)`,
      );
    }
    if (answer.status >= 500) {
      this.onViolation(
        '5xx',
        `${method} ${urlPath} ${JSON.stringify(body ?? null)} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  }

  /** Resolves when no restart is under way. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** A websocket to the current server (e.g. a guest's serial console). */
  ws(urlPath: string): WebSocket {
    return this.server.ws(urlPath);
  }

  /**
   * kill -9 of the server, and a new one on the same data dir and password. Requests made meanwhile wait for it
   * until `afterStart` is done (it sees the new server before any of them: `api(..., { early: true })`).
   * `beforeKill` runs right before the signal (the soak notes what runs at that moment).
   */
  async killAndRestart(
    beforeKill: () => Promise<void>,
    afterStart: (timing: RestartTiming) => Promise<void>,
  ): Promise<RestartTiming> {
    let release = (): void => undefined;
    this.ready = new Promise((resolve) => (release = resolve));
    this.killing = true;
    try {
      await beforeKill();
      const at = Date.now();
      await this.server.kill9();
      this.epoch++;
      const next = new TestServer(this.dataDir, this.server.password, this.env);
      await next.start();
      const listeningMs = Date.now() - at;
      await next.login();
      for (;;) {
        const res = await next.api('GET', '/api/vms').catch(() => undefined);
        if (res?.status === 200) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const timing = { at, listeningMs, answeredMs: Date.now() - at };
      this.server = next;
      this.restarts.push(timing);
      await afterStart(timing);
      return timing;
    } finally {
      this.killing = false;
      release();
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
