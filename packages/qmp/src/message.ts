// QMP wire format: one JSON object per line. This module turns bytes into classified messages and back.
import { QmpProtocolError } from './errors.ts';

/** `{ major, minor, micro }` of the qemu binary. */
export type QmpVersionTriple = { major: number; minor: number; micro: number };

/** What `query-version` returns and what the greeting carries. */
export type QmpVersionInfo = { qemu: QmpVersionTriple; package: string };

/** `{}` as returned by commands that only acknowledge. */
export type QmpEmpty = Record<string, never>;

/** First line qemu sends on a fresh connection. */
export type QmpGreeting = { QMP: { version: QmpVersionInfo; capabilities: string[] } };

export type QmpTimestamp = { seconds: number; microseconds: number };

/** A command as written to the socket. */
export type QmpCommandMessage = { execute: string; arguments?: Record<string, unknown>; id: number };

/** One parsed line from qemu. `id` is whatever qemu echoed (undefined when it had none). */
export type QmpInbound =
  | { kind: 'greeting'; greeting: QmpGreeting }
  | { kind: 'return'; id: unknown; value: unknown }
  | { kind: 'error'; id: unknown; errorClass: string; desc: string }
  | { kind: 'event'; event: string; data: Record<string, unknown>; timestamp: QmpTimestamp };

const NEWLINE = 0x0a;
const CR = 0x0d;
/** Far above anything qemu sends (query-qmp-schema is ~200 KiB) but stops a broken peer from exhausting memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits a byte stream into lines. Splitting on the raw 0x0A byte (never part of a multi-byte UTF-8 sequence)
 * means a chunk boundary inside a character or a `\r\n` pair is harmless.
 */
export class LineDecoder {
  #parts: Buffer[] = [];
  #size = 0;
  readonly #maxLineBytes: number;

  constructor(maxLineBytes = MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /**
   * Feeds one chunk; returns the complete, non-empty lines it finished (without `\r\n`).
   * @throws {QmpProtocolError} when an unterminated line grows past the size limit.
   */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.#parts.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.#parts);
      this.#parts = [];
      this.#size = 0;
      const end = line.at(-1) === CR ? line.length - 1 : line.length;
      if (end > 0) lines.push(line.toString('utf8', 0, end));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.#parts.push(chunk.subarray(start));
      this.#size += chunk.length - start;
      if (this.#size > this.#maxLineBytes) {
        throw new QmpProtocolError(`QMP line exceeds ${this.#maxLineBytes} bytes`);
      }
    }
    return lines;
  }
}

/** Serialises a command. qemu parses a JSON stream, so commands need no delimiter. */
export function encodeCommand(message: QmpCommandMessage): string {
  // No trailing "\n": qemu reads QMP input byte by byte and acts at the closing brace, so after `quit` the
  // newline would still be unread when qemu exits, and the kernel turns the hang-up into ECONNRESET.
  return JSON.stringify(message);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

function parseGreeting(body: unknown): QmpGreeting | undefined {
  if (!isRecord(body)) return undefined;
  const { version, capabilities } = body;
  if (!isRecord(version) || !isRecord(version.qemu) || typeof version.package !== 'string') return undefined;
  const { major, minor, micro } = version.qemu;
  if (!isInt(major) || !isInt(minor) || !isInt(micro)) return undefined;
  if (!Array.isArray(capabilities) || !capabilities.every((c) => typeof c === 'string')) return undefined;
  return { QMP: { version: { qemu: { major, minor, micro }, package: version.package }, capabilities } };
}

function parseTimestamp(value: unknown): QmpTimestamp {
  if (isRecord(value) && typeof value.seconds === 'number' && typeof value.microseconds === 'number') {
    return { seconds: value.seconds, microseconds: value.microseconds };
  }
  return { seconds: 0, microseconds: 0 };
}

/**
 * Parses and classifies one line.
 * @throws {QmpProtocolError} when the line is not JSON or not a known QMP message shape.
 */
export function parseMessage(line: string): QmpInbound {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (cause) {
    throw new QmpProtocolError(`QMP peer sent invalid JSON: ${line.slice(0, 200)}`, { cause });
  }
  if (!isRecord(json)) throw new QmpProtocolError(`QMP peer sent a non-object: ${line.slice(0, 200)}`);

  if ('QMP' in json) {
    const greeting = parseGreeting(json.QMP);
    if (greeting) return { kind: 'greeting', greeting };
  } else if (typeof json.event === 'string') {
    // qemu omits `data` for events that carry none (STOP, RESUME, ...); listeners always get an object.
    const data = isRecord(json.data) ? json.data : {};
    return { kind: 'event', event: json.event, data, timestamp: parseTimestamp(json.timestamp) };
  } else if ('return' in json) {
    return { kind: 'return', id: json.id, value: json.return };
  } else if (isRecord(json.error)) {
    const { class: errorClass, desc } = json.error;
    return {
      kind: 'error',
      id: json.id,
      errorClass: typeof errorClass === 'string' ? errorClass : 'GenericError',
      desc: typeof desc === 'string' ? desc : 'unknown error',
    };
  }
  throw new QmpProtocolError(`QMP peer sent an unrecognised message: ${line.slice(0, 200)}`);
}
