import type { FilteredInput, InputFilter } from './unix-bridge.ts';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A QMP-shaped error line, as qemu answers a command it refuses (with the command's id when it had one). */
export function qmpError(desc: string, id?: unknown): Buffer {
  const reply = { error: { class: 'GenericError', desc }, ...(id === undefined ? {} : { id }) };
  return Buffer.from(`${JSON.stringify(reply)}\r\n`);
}

const SANDBOXED = 'qemu runs sandboxed and may not start programs';

/** Whether a tap/bridge netdev makes qemu run a program: a bridge helper, or an ifup/ifdown script. */
function netdevSpawns(args: JsonObject): boolean {
  if (args.type === 'bridge') return true;
  if (args.type !== 'tap' || args.fd !== undefined || args.fds !== undefined) return false;
  return args.helper !== undefined || args.script !== 'no' || args.downscript !== 'no';
}

/** `netdev_add <type>,<key>=<value>,...` of HMP as QMP arguments; undefined for ",," (an escaped comma). */
function hmpNetdevArgs(line: string): JsonObject | undefined {
  const opts = line.trim().split(/\s+/)[1] ?? '';
  if (opts.includes(',,')) return undefined;
  const args: JsonObject = {};
  opts.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq !== -1) args[part.slice(0, eq)] = part.slice(eq + 1);
    else if (i === 0) args.type = part;
  });
  return args;
}

/**
 * Why a command may not reach qemu, or undefined when it may.
 * NOTE: qemu runs with `-sandbox ...,spawn=deny`, and qemu 7.2 is killed by SIGSYS when it forks, taking the
 * guest with it. Commands that make it start a program are refused: `migrate` and `migrate-incoming` to
 * an exec: URI (or, from qemu 8.2 on, an exec channel), `netdev_add` of a bridge (qemu-bridge-helper) or of
 * a tap with ifup/ifdown scripts (the default), and the same through `human-monitor-command`.
 */
export function refusal(command: JsonObject): string | undefined {
  const args = isObject(command.arguments) ? command.arguments : {};
  for (const name of [command.execute, command['exec-oob']]) {
    if (name === 'migrate' || name === 'migrate-incoming') {
      const channels = Array.isArray(args.channels) ? args.channels : [];
      const execChannel = channels.some(
        (c) => isObject(c) && isObject(c.addr) && c.addr.transport === 'exec',
      );
      if ((typeof args.uri === 'string' && /^\s*exec:/i.test(args.uri)) || execChannel) {
        return `virtweb: ${name} to an exec: URI is refused (${SANDBOXED})`;
      }
    }
    if (name === 'netdev_add' && netdevSpawns(args)) {
      return `virtweb: netdev_add of a bridge, or of a tap without script=no and downscript=no, is refused (${SANDBOXED})`;
    }
    const line = args['command-line'];
    if (name === 'human-monitor-command' && typeof line === 'string') {
      if (/^\s*migrate(_incoming)?\b/i.test(line) && /exec:/i.test(line)) {
        return `virtweb: HMP migrate to an exec: URI is refused (${SANDBOXED})`;
      }
      if (/^\s*netdev_add\b/i.test(line)) {
        const netdev = hmpNetdevArgs(line);
        if (netdev === undefined || netdevSpawns(netdev)) {
          return `virtweb: HMP netdev_add of a bridge, or of a tap with scripts, is refused (${SANDBOXED})`;
        }
      }
    }
  }
  return undefined;
}

/** The JSON values of one message: the whole text as one value, else one value per non-blank line. */
function parseMessage(text: string): { source: string; value: unknown }[] | string {
  try {
    return [{ source: text.trim(), value: JSON.parse(text) as unknown }];
  } catch {
    // not one value: try lines
  }
  const values: { source: string; value: unknown }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      values.push({ source: line.trim(), value: JSON.parse(line) as unknown });
    } catch (err) {
      return `virtweb: not JSON (${err instanceof Error ? err.message : String(err)}): send one JSON object per line`;
    }
  }
  return values;
}

/**
 * The browser's QMP session's input filter: only well-formed JSON objects reach qemu (one per message, or
 * one per line), each as the text that was checked; anything else, and commands qemu must not run, are
 * answered with a QMP error line instead.
 * NOTE: qemu's own parser is laxer (single-quoted strings, objects split across writes); this is the strict
 * subset. Where the two could read one text differently, qemu refuses it: duplicate keys are a parse
 * error in qemu 7.2 (while JSON.parse keeps the last), so no key can hide behind another.
 */
export function qmpInputFilter(): InputFilter {
  return (message: Buffer): FilteredInput => {
    let text: string;
    try {
      text = utf8.decode(message);
    } catch {
      return { toGuest: Buffer.alloc(0), toBrowser: qmpError('virtweb: not UTF-8 text') };
    }
    const parsed = parseMessage(text);
    if (typeof parsed === 'string') return { toGuest: Buffer.alloc(0), toBrowser: qmpError(parsed) };
    const pass: string[] = [];
    const answers: Buffer[] = [];
    for (const { source, value } of parsed) {
      if (!isObject(value)) {
        answers.push(qmpError('virtweb: QMP input must be a JSON object'));
        continue;
      }
      const why = refusal(value);
      if (why === undefined) pass.push(`${source}\n`);
      else answers.push(qmpError(why, value.id));
    }
    return {
      toGuest: Buffer.from(pass.join('')),
      toBrowser: answers.length > 0 ? Buffer.concat(answers) : undefined,
    };
  };
}
