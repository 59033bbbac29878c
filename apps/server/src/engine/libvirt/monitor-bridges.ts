// qemu's QMP and HMP, reached through libvirt: virtweb's consoles (the server's QMP client, the QMP and
// monitor panes) connect to unix sockets in the guest's run dir as they do with qemu-direct, and each line
// sent there becomes a `virDomainQemuMonitorCommand`; qemu's events come from `qemu-monitor-event`.
import fs from 'node:fs/promises';
import net from 'node:net';
import type { DomainRef, MonitorEvent } from './libvirt-connection.ts';
import type { LibvirtHost } from './libvirt-host.ts';

/** The longest line a bridge takes from a client before it drops it (a QMP command is small). */
const MAX_LINE_BYTES = 1024 * 1024;

interface QemuVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

type LineHandler = (line: string, sock: net.Socket) => Promise<void>;

/** Splits what a client sends into commands; `reply` writes back at once (the monitor's echo). */
type Splitter = (chunk: string, reply: (text: string) => void) => string[];

/** HMP: lines ended by CR or LF, echoed as a terminal would (qemu's readline echoes, and erases on backspace). */
function hmpLines(): Splitter {
  let pending = '';
  return (chunk, reply) => {
    const out: string[] = [];
    for (const ch of chunk) {
      if (ch === '\r' || ch === '\n') {
        if (ch === '\r') reply('\r\n');
        out.push(pending);
        pending = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (pending.length > 0) reply('\b \b');
        pending = pending.slice(0, -1);
      } else {
        pending += ch;
        if (ch >= ' ') reply(ch);
      }
    }
    if (pending.length > MAX_LINE_BYTES) throw new Error('line too long');
    return out;
  };
}

/** QMP: JSON objects one after another, with or without line ends between them (as qemu's parser takes them). */
export function qmpObjects(): Splitter {
  let pending = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  return (chunk) => {
    const out: string[] = [];
    for (const ch of chunk) {
      if (depth === 0 && ch !== '{') {
        if (ch.trim() !== '') out.push(ch); // not an object: answered as a parse error
        continue;
      }
      pending += ch;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth--;
      if (depth === 0) {
        out.push(pending);
        pending = '';
      }
    }
    if (pending.length > MAX_LINE_BYTES) throw new Error('command too long');
    return out;
  };
}

/** A unix socket server in the run dir: `greet` writes each client's first bytes, then each command is handled in turn. */
async function commandServer(
  socketPath: string,
  greet: (sock: net.Socket) => void,
  split: () => Splitter,
  onCommand: LineHandler,
): Promise<net.Server> {
  await fs.rm(socketPath, { force: true });
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    greet(sock);
    const splitter = split();
    // One command at a time, in order, as qemu's own monitor takes them.
    let queue = Promise.resolve();
    sock.on('data', (chunk: Buffer) => {
      let commands: string[];
      try {
        commands = splitter(chunk.toString('utf8'), (text) => sock.write(text));
      } catch {
        sock.destroy();
        return;
      }
      for (const c of commands) queue = queue.then(() => onCommand(c, sock)).catch(() => undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return server;
}

const errorReply = (desc: string, id: unknown): string =>
  JSON.stringify({ error: { class: 'GenericError', desc }, ...(id === undefined ? {} : { id }) });

/** The QMP and HMP sockets of one running domain. */
export class MonitorBridges {
  private constructor(
    private readonly servers: net.Server[],
    private readonly clients: Set<net.Socket>,
    private readonly stopEvents: () => void,
  ) {}

  /** Serves QMP on `qmpPaths` (one server each) and HMP on `hmpPath` for `dom`. */
  static async open(
    host: LibvirtHost,
    dom: DomainRef,
    qmpPaths: readonly string[],
    hmpPath: string,
  ): Promise<MonitorBridges> {
    const command = async (cmd: string, hmp: boolean) =>
      (await host.connection()).monitorCommand(dom, cmd, hmp);
    const version = JSON.parse(await command('{"execute":"query-version"}', false)) as {
      return: QemuVersion;
    };
    const negotiated = new Set<net.Socket>();
    const clients = new Set<net.Socket>();
    const track = (sock: net.Socket): void => {
      clients.add(sock);
      sock.on('close', () => {
        clients.delete(sock);
        negotiated.delete(sock);
      });
    };

    const onQmpLine: LineHandler = async (line, sock) => {
      let msg: { execute?: unknown; arguments?: unknown; id?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        sock.write(`${errorReply('JSON parse error', undefined)}\r\n`);
        return;
      }
      const { execute, id } = msg;
      if (typeof execute !== 'string') {
        sock.write(`${errorReply("QMP input lacks member 'execute'", id)}\r\n`);
        return;
      }
      if (execute === 'qmp_capabilities') {
        negotiated.add(sock);
        sock.write(`${JSON.stringify({ return: {}, ...(id === undefined ? {} : { id }) })}\r\n`);
        return;
      }
      const cmd = JSON.stringify({
        execute,
        ...(msg.arguments === undefined ? {} : { arguments: msg.arguments }),
      });
      try {
        const reply = JSON.parse(await command(cmd, false)) as Record<string, unknown>;
        delete reply.id;
        sock.write(`${JSON.stringify({ ...reply, ...(id === undefined ? {} : { id }) })}\r\n`);
      } catch (err) {
        sock.write(`${errorReply(err instanceof Error ? err.message : String(err), id)}\r\n`);
      }
    };
    const greetQmp = (sock: net.Socket): void => {
      track(sock);
      sock.write(`${JSON.stringify({ QMP: { version: version.return, capabilities: [] } })}\r\n`);
    };

    const { major, minor, micro } = version.return.qemu;
    const prompt = '(qemu) ';
    const onHmpLine: LineHandler = async (line, sock) => {
      if (line.trim() !== '') {
        try {
          const out = await command(line, true);
          sock.write(out.replace(/\r?\n/g, '\r\n'));
        } catch (err) {
          sock.write(`${err instanceof Error ? err.message : String(err)}\r\n`);
        }
      }
      sock.write(prompt);
    };
    const greetHmp = (sock: net.Socket): void => {
      track(sock);
      sock.write(
        `QEMU ${major}.${minor}.${micro} monitor (through libvirt) - type 'help' for more information\r\n${prompt}`,
      );
    };

    const servers: net.Server[] = [];
    try {
      for (const p of qmpPaths) servers.push(await commandServer(p, greetQmp, qmpObjects, onQmpLine));
      servers.push(await commandServer(hmpPath, greetHmp, hmpLines, onHmpLine));
    } catch (err) {
      for (const s of servers) s.close();
      throw err;
    }
    const uuid = dom.uuid.toString('hex');
    const stopEvents = host.onMonitorEvent((e: MonitorEvent) => {
      if (e.dom.uuid.toString('hex') !== uuid) return;
      let data: unknown;
      try {
        data = e.details === undefined ? undefined : JSON.parse(e.details);
      } catch {
        data = undefined;
      }
      const line = `${JSON.stringify({
        event: e.event,
        ...(data === undefined ? {} : { data }),
        timestamp: { seconds: Number(e.seconds), microseconds: e.micros },
      })}\r\n`;
      for (const sock of negotiated) sock.write(line);
    });
    return new MonitorBridges(servers, clients, stopEvents);
  }

  /** Stops serving: every client is disconnected (as when qemu's own sockets go). */
  close(): void {
    this.stopEvents();
    for (const s of this.servers) s.close();
    for (const c of this.clients) c.destroy();
    this.clients.clear();
  }
}
