// Helpers of the image integration tests: raw streaming uploads and image.progress events.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type WebSocket from 'ws';
import type { TestServer } from './harness.ts';
import { until } from './until.ts';

export const MiB = 2 ** 20;

export interface PutResult {
  status: number;
  body: unknown;
}

/** `PUT /api/images/:name/upload` with a streamed body and an explicit Content-Length (no buffering). */
export function putUpload(
  server: TestServer,
  name: string,
  body: Readable | Buffer | null,
  length: number | null,
): Promise<PutResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(`/api/images/${encodeURIComponent(name)}/upload`, server.url);
    const headers: http.OutgoingHttpHeaders = {
      cookie: server.cookie,
      origin: server.url,
      'content-type': 'application/octet-stream',
    };
    if (length !== null) headers['content-length'] = length;
    else headers['transfer-encoding'] = 'chunked';
    const req = http.request(url, { method: 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    // A server that answers early (413, 409) and closes may make our writes fail: the answer is what counts.
    req.on('error', reject);
    if (body === null) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/**
 * An upload of `length` bytes that has sent `sent` of them, all written by the server into its hidden `.part`
 * file; it stays open until `breakOff()` breaks the connection (a closed browser tab).
 */
export async function partialUpload(
  server: TestServer,
  name: string,
  length: number,
  sent: number,
): Promise<{ breakOff: () => void }> {
  const url = new URL(`/api/images/${encodeURIComponent(name)}/upload`, server.url);
  const req = http.request(url, {
    method: 'PUT',
    headers: {
      cookie: server.cookie,
      origin: server.url,
      'content-length': length,
      'content-type': 'application/octet-stream',
    },
  });
  req.on('error', () => undefined);
  const chunk = Buffer.alloc(MiB, 7);
  for (let done = 0; done < sent; done += chunk.length) {
    if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
  }
  const part = `.upload.${name}.`;
  const images = path.join(server.dataDir, 'images');
  await until(
    `${sent} bytes of ${name} written by the server`,
    async () => {
      const file = (await fsp.readdir(images)).find((n) => n.startsWith(part) && n.endsWith('.part'));
      const size =
        file === undefined ? 0 : (await fsp.stat(path.join(images, file)).catch(() => undefined))?.size;
      return (size ?? 0) >= sent ? true : undefined;
    },
    30_000,
    20,
  );
  return { breakOff: () => req.destroy() };
}

export interface ProgressEvent {
  type: 'image.progress';
  name: string;
  op: string;
  done: number;
  total: number;
  target?: string;
  /** When the test received it (ms since epoch). */
  at: number;
}

/** Records every image.progress event of an events websocket with its arrival time. */
export class ProgressWatcher {
  readonly events: ProgressEvent[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString('utf8')) as { type: string };
      if (e.type === 'image.progress') this.events.push({ ...(e as ProgressEvent), at: Date.now() });
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  of(name: string, op: string): ProgressEvent[] {
    return this.events.filter((e) => e.name === name && e.op === op);
  }

  async waitFor(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Writes `bytes` of pseudo-random data (fast: one random MiB repeated with a counter). */
export async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const block = randomBytes(MiB);
  for (let i = 0; i * MiB < bytes; i++) {
    const b = Buffer.from(block);
    b.writeUInt32LE(i, 0);
    if (!out.write(b.subarray(0, Math.min(MiB, bytes - i * MiB)))) {
      await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** The message of an API error answer ('' when the body is not one). */
export function errorOf(body: unknown): string {
  const msg = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof msg === 'string' ? msg : '';
}
