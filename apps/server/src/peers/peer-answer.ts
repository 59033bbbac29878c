// Reading what a peer answered. A peer URL points wherever the user typed, so an answer is untrusted: it is read
// up to a size cap (never whole into memory), and its text never appears in this server's words unless it is
// a virtweb error answer (`{error:{code,message}}`), whose message is cut to a bounded length.
import { ApiErrorBodySchema, formatBytes } from '@virtweb/protocol';

/** The largest ordinary answer read from a peer (its identity, host facts, one VM, a job's status). */
export const MAX_ANSWER_BYTES = 2 ** 20;
/** The largest list read from a peer (its VMs, its images): a host with thousands of them stays below. */
export const MAX_LIST_ANSWER_BYTES = 8 * 2 ** 20;
/** The longest message of a peer's error answer relayed in this server's words. */
export const MAX_PEER_MESSAGE_CHARS = 300;

/** The body of an answer, or why it was not read (too large, or the connection failed while reading). */
export type AnswerBody =
  { ok: true; text: string } | { ok: false; tooLarge: true } | { ok: false; error: unknown };

/**
 * Reads `res`'s body up to `maxBytes`; beyond that `abort()` is called (which ends the request) and nothing is
 * kept. A Content-Length above the cap is refused before reading.
 */
export async function readCapped(
  res: Pick<Response, 'headers' | 'body'>,
  maxBytes: number,
  abort: () => void,
): Promise<AnswerBody> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    abort();
    return { ok: false, tooLarge: true };
  }
  if (!res.body) return { ok: true, text: '' };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        abort();
        await reader.cancel().catch(() => undefined);
        return { ok: false, tooLarge: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

export const tooLargeText = (where: string, maxBytes: number): string =>
  `${where} answered more than ${formatBytes(maxBytes)}, more than a virtweb API answer`;

/** The words for an error status: a virtweb error answer's code and message (cut), else none of its body. */
export function errorAnswer(
  url: string,
  status: number,
  json: unknown,
): { said: string; code?: string; peerMessage?: string } {
  const apiError = ApiErrorBodySchema.safeParse(json);
  if (!apiError.success) {
    return { said: `the server at ${url} answered HTTP ${status}, which is not a virtweb API answer` };
  }
  const peerMessage = cut(apiError.data.error.message);
  return { said: peerMessage, code: cut(apiError.data.error.code, 64), peerMessage };
}

/** One line of at most `max` characters (control characters become spaces). */
export function cut(text: string, max = MAX_PEER_MESSAGE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\x00-\x1f\x7f]+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
