// The QMP console's text handling, apart from React: the byte stream into messages, what the user typed
// into a command, and Tab completion.

/** Splits a byte stream into lines; QMP ends every message with CRLF, frames may cut anywhere. */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';

  push(chunk: Uint8Array | string): string[] {
    this.rest += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const lines = this.rest.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  }
}

export type QmpMessage =
  | { kind: 'greeting'; version: string; capabilities: string[] }
  | { kind: 'return'; id: unknown; value: unknown }
  | { kind: 'error'; id: unknown; errorClass: string; desc: string }
  | { kind: 'event'; event: string; at: Date | null; data: unknown }
  | { kind: 'other' };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function greetingOf(qmp: Record<string, unknown>): QmpMessage {
  const version = isObject(qmp.version) && isObject(qmp.version.qemu) ? qmp.version.qemu : {};
  const parts = [version.major, version.minor, version.micro].filter((n) => typeof n === 'number');
  const caps = Array.isArray(qmp.capabilities) ? qmp.capabilities.filter((c) => typeof c === 'string') : [];
  return { kind: 'greeting', version: parts.join('.'), capabilities: caps };
}

function eventTime(ts: unknown): Date | null {
  if (!isObject(ts) || typeof ts.seconds !== 'number' || typeof ts.microseconds !== 'number') return null;
  return new Date(ts.seconds * 1000 + Math.floor(ts.microseconds / 1000));
}

/** What one parsed QMP line is (qemu's docs/interop/qmp-spec). */
export function classify(json: unknown): QmpMessage {
  if (!isObject(json)) return { kind: 'other' };
  if (isObject(json.QMP)) return greetingOf(json.QMP);
  if ('return' in json) return { kind: 'return', id: json.id, value: json.return };
  if (isObject(json.error)) {
    const { class: errorClass, desc } = json.error;
    return {
      kind: 'error',
      id: json.id,
      errorClass: typeof errorClass === 'string' ? errorClass : 'GenericError',
      desc: typeof desc === 'string' ? desc : '',
    };
  }
  if (typeof json.event === 'string') {
    return { kind: 'event', event: json.event, at: eventTime(json.timestamp), data: json.data };
  }
  return { kind: 'other' };
}

export interface QmpCommand {
  execute: string;
  arguments?: Record<string, unknown>;
  id?: unknown;
}

export type ParsedCommand = { ok: true; command: QmpCommand } | { ok: false; error: string };

const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function jsonObject(text: string, what: string): Record<string, unknown> | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `${what} is not JSON: ${err instanceof Error ? err.message : 'parse error'}`;
  }
  return isObject(json) ? json : `${what} must be a JSON object`;
}

/**
 * A command as typed: full JSON (`{"execute":"query-status"}`) or shorthand, the name and optionally the
 * arguments as a JSON object (`query-status`, `block_resize {"node-name":"disk0","size":1073741824}`).
 */
export function parseCommand(input: string): ParsedCommand {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'type a command' };
  if (text.startsWith('{')) {
    const json = jsonObject(text, 'the command');
    if (typeof json === 'string') return { ok: false, error: json };
    if (typeof json.execute !== 'string')
      return { ok: false, error: 'the command needs "execute": "<name>"' };
    if (json.arguments !== undefined && !isObject(json.arguments)) {
      return { ok: false, error: '"arguments" must be a JSON object' };
    }
    const command: QmpCommand = { execute: json.execute };
    if (json.arguments !== undefined) command.arguments = json.arguments;
    if ('id' in json) command.id = json.id;
    return { ok: true, command };
  }
  const space = text.search(/\s/);
  const name = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space).trim();
  if (!COMMAND_NAME.test(name)) return { ok: false, error: `"${name}" is not a command name` };
  if (rest === '') return { ok: true, command: { execute: name } };
  const args = jsonObject(rest, 'the arguments');
  if (typeof args === 'string') return { ok: false, error: args };
  return { ok: true, command: { execute: name, arguments: args } };
}

/**
 * The command as the one message the server takes for it, or why it cannot be sent: the server closes the
 * QMP socket (1009) on a message over `maxBytes`.
 */
export function commandMessage(command: QmpCommand, maxBytes: number): { text: string } | { error: string } {
  const text = JSON.stringify(command);
  const size = new TextEncoder().encode(text).length;
  if (size <= maxBytes) return { text };
  return { error: `the command is ${size} bytes; the QMP console sends at most ${maxBytes}` };
}

/**
 * Tab completion of a command name: the input extended to the longest prefix all matching commands share,
 * or null when nothing matches or nothing would be added.
 */
export function completeCommand(input: string, commands: readonly string[]): string | null {
  if (input === '' || /\s|\{/.test(input)) return null;
  const matches = commands.filter((c) => c.startsWith(input));
  const first = matches[0];
  if (first === undefined) return null;
  let prefix = first;
  for (const m of matches) {
    while (!m.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  if (matches.length === 1) prefix = `${first} `;
  return prefix.length > input.length ? prefix : null;
}
