// One connection to a guest agent (qemu-guest-agent) over the unix socket of its virtio-serial channel.
import { randomInt } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';

/** Every failure of a guest agent command is one of these. */
export class GuestAgentError extends Error {
  override name = 'GuestAgentError';
}

/** The agent did not answer within the command's time limit (not running, busy, or the guest is stuck). */
export class GuestAgentTimeout extends GuestAgentError {
  override name = 'GuestAgentTimeout';
}

/** The agent answered with `{"error": {"class", "desc"}}`. */
export class GuestAgentRefused extends GuestAgentError {
  override name = 'GuestAgentRefused';
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`the guest agent refused ${command}: ${desc}`);
  }
}

export interface AgentCommandOptions {
  /** Default: the connection's. */
  timeoutMs?: number;
  /**
   * For commands the agent answers only when they fail (`guest-shutdown`: success-response false): no answer
   * within the time limit, or the channel closing, is success.
   */
  answersOnlyErrors?: boolean;
}

/** Bytes before an answer's newline beyond which the channel is taken to carry garbage. */
const MAX_LINE_BYTES = 4 * 2 ** 20;
// The sentinel qemu-ga puts before its answer to guest-sync-delimited (and resets its parser on, from us).
const SENTINEL = 0xff;

/**
 * Commands to a guest agent, one at a time, each with a time limit. The connection opens on the first command
 * and is synchronised with `guest-sync-delimited` (stale answers, e.g. to a client before a guest reboot, are
 * skipped). Any failure but the agent's own refusal closes it (a late answer would be taken for the next
 * command's); the next command opens it again, so a rebooted guest's agent is found again.
 */
export class AgentConnection {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private closedWith: Error | undefined;
  private wake: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** Whether a synchronised connection is open now. */
  get open(): boolean {
    return this.socket !== undefined;
  }

  /**
   * Runs `command` and resolves with its `return` value.
   * @throws GuestAgentTimeout, GuestAgentRefused, GuestAgentError (channel closed, not JSON, no socket)
   */
  execute(command: string, args?: Record<string, unknown>, opts: AgentCommandOptions = {}): Promise<unknown> {
    const run = async (): Promise<unknown> => {
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      const deadline = Date.now() + timeoutMs;
      try {
        if (this.socket === undefined) await this.connect(deadline);
        this.write(
          Buffer.from(
            JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n',
          ),
        );
        return answerOf(command, await this.nextJson(deadline));
      } catch (err) {
        if (err instanceof GuestAgentRefused) throw err;
        this.close();
        if (opts.answersOnlyErrors === true && !(err instanceof NotJson)) return undefined;
        if (err instanceof GuestAgentTimeout) {
          throw new GuestAgentTimeout(
            `the guest agent did not answer ${command} within ${timeoutMs / 1000} s`,
          );
        }
        throw err;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the channel (a command waiting for its answer fails). */
  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    this.closedWith = new GuestAgentError('the guest agent channel was closed');
    socket?.destroy();
    this.wake?.();
  }

  private async connect(deadline: number): Promise<void> {
    const socket = createConnection(this.socketPath);
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.closedWith = undefined;
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const gone = (err?: Error): void => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.closedWith = new GuestAgentError(
        err ? `the guest agent channel failed: ${err.message}` : 'the guest agent channel was closed',
      );
      this.wake?.();
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      throw new GuestAgentError(
        code === 'ENOENT' || code === 'ECONNREFUSED'
          ? 'no guest agent channel (qemu is not listening on it)'
          : `cannot reach the guest agent channel: ${(err as Error).message}`,
      );
    });
    // NOTE: the sentinel first makes qemu-ga drop a half-read command; its answer to guest-sync-delimited
    // starts with the sentinel too, so everything before it (answers meant for an earlier client) is skipped.
    const id = randomInt(1, 2 ** 31);
    this.write(
      Buffer.concat([
        Buffer.from([SENTINEL]),
        Buffer.from(JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } }) + '\n'),
      ]),
    );
    for (;;) {
      await this.skipToSentinel(deadline);
      let answer: unknown;
      try {
        answer = await this.nextJson(deadline);
      } catch (err) {
        if (err instanceof NotJson) continue;
        throw err;
      }
      if (typeof answer === 'object' && answer !== null && (answer as { return?: unknown }).return === id)
        return;
    }
  }

  private write(bytes: Buffer): void {
    if (!this.socket) throw this.closedWith ?? new GuestAgentError('the guest agent channel is closed');
    this.socket.write(bytes);
  }

  private async skipToSentinel(deadline: number): Promise<void> {
    for (;;) {
      const at = this.buffer.indexOf(SENTINEL);
      if (at >= 0) {
        this.buffer = this.buffer.subarray(at + 1);
        return;
      }
      this.buffer = Buffer.alloc(0);
      await this.more(deadline);
    }
  }

  /** The next line, parsed. @throws NotJson, GuestAgentTimeout, GuestAgentError */
  private async nextJson(deadline: number): Promise<unknown> {
    for (;;) {
      const at = this.buffer.indexOf(0x0a);
      if (at >= 0) {
        const line = this.buffer.subarray(0, at).toString('utf8').trim();
        this.buffer = this.buffer.subarray(at + 1);
        if (line === '') continue;
        try {
          return JSON.parse(line) as unknown;
        } catch {
          throw new NotJson(
            `the guest agent sent something that is not JSON: ${JSON.stringify(line.slice(0, 80))}`,
          );
        }
      }
      if (this.buffer.length > MAX_LINE_BYTES) {
        throw new NotJson(`the guest agent sent more than ${MAX_LINE_BYTES} bytes without a line break`);
      }
      await this.more(deadline);
    }
  }

  /** Waits for more bytes. @throws GuestAgentTimeout at the deadline, GuestAgentError when the channel closed */
  private async more(deadline: number): Promise<void> {
    this.throwIfClosed();
    const left = deadline - Date.now();
    if (left <= 0) throw new GuestAgentTimeout('the guest agent did not answer in time');
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, left);
    });
    clearTimeout(timer);
    this.wake = undefined;
    this.throwIfClosed();
  }

  private throwIfClosed(): void {
    if (this.closedWith) throw this.closedWith;
  }
}

/** A line that is not JSON, or too long: the channel is out of step (closed). */
class NotJson extends GuestAgentError {
  override name = 'GuestAgentProtocolError';
}

function answerOf(command: string, answer: unknown): unknown {
  if (typeof answer === 'object' && answer !== null) {
    const a = answer as { return?: unknown; error?: { class?: unknown; desc?: unknown } };
    if ('return' in a) return a.return;
    if (typeof a.error === 'object') {
      const cls = typeof a.error.class === 'string' ? a.error.class : 'GenericError';
      const desc = typeof a.error.desc === 'string' ? a.error.desc : 'no description';
      throw new GuestAgentRefused(command, cls, desc);
    }
  }
  throw new NotJson(`the guest agent answered ${command} with neither return nor error`);
}
