import net from 'node:net';

/** One HTTP/1.1 request written byte for byte: nothing is normalised, encoded or added unless asked. */
export interface RawRequest {
  method: string;
  /** Sent as is on the request line (no percent-encoding, no `..` resolution). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Default true: a Content-Length for the body (leave it out to send a body without one). */
  contentLength?: boolean;
  /** Replaces the whole request (line, headers and body) for malformed HTTP. */
  raw?: Buffer | string;
  /** Half-close the connection after writing (a client that stops sending mid-body). */
  end?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** How long one request may take before the case fails (a hung server is a finding, not a slow test). */
const REQUEST_TIMEOUT_MS = 15_000;

/** Sends one request on its own connection (`Connection: close`) and reads the whole answer. */
export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms to ${req.method} ${req.path.slice(0, 200)}`),
      );
    }, REQUEST_TIMEOUT_MS);
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data);
      if (parsed) resolve(parsed);
      else
        reject(new Error(`no HTTP answer (${data.length} bytes) to ${req.method} ${req.path.slice(0, 200)}`));
    };
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', finish);
    sock.on('close', finish);
    // The server may answer and close before it read a big body: the answer still counts.
    sock.on('error', () => undefined);
    sock.write(req.raw ?? encodeRequest(port, req));
    if (req.end) sock.end();
  });
}

function encodeRequest(port: number, req: RawRequest): Buffer {
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...req.headers };
  if (body !== undefined && req.contentLength !== false && !hasHeader(headers, 'transfer-encoding')) {
    headers['content-length'] = String(body.length);
  }
  const head = [
    `${req.method} ${req.path} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** Status, headers and body of a complete answer; undefined when not even a status line came. */
export function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  const head = (end < 0 ? data : data.subarray(0, end)).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m?.[1]) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(m[1]), headers, body, json: parseJson(body) };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
