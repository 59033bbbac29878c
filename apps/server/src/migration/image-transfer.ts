// Copying an image file to a peer: streamed to its upload endpoint, counted for the progress bar, and checked
// against the sha256 the peer computed of what it received.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import type { PeerClient } from '../peers/peer-client.ts';

const UploadAnswerSchema = z.object({ name: z.string(), sha256: z.string() });

/** Bytes of every file to send, for one progress bar over all of them. */
export async function totalBytes(paths: string[]): Promise<number> {
  const sizes = await Promise.all(paths.map(async (p) => (await fsp.stat(p)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Sends the image file at `file` to the peer as image `name` (it must not exist there). `onBytes` gets the
 * bytes read so far. The peer links the image only when all bytes arrived; the checksums must match.
 * @throws PeerCallError (refused, unreachable, aborted) or Error (checksum mismatch: the caller deletes it)
 */
export async function sendImage(
  client: PeerClient,
  name: string,
  file: string,
  opts: { signal?: AbortSignal; onBytes?: (sent: number) => void } = {},
): Promise<void> {
  const { size } = await fsp.stat(file);
  const hash = createHash('sha256');
  let sent = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      hash.update(chunk);
      opts.onBytes?.(sent);
      done(null, chunk);
    },
  });
  const source = fs.createReadStream(file);
  source.on('error', (err) => meter.destroy(err));
  source.pipe(meter);
  try {
    const answer = await client.upload(
      `/api/images/${encodeURIComponent(name)}/upload`,
      meter,
      size,
      UploadAnswerSchema,
      opts.signal,
    );
    const ours = hash.digest('hex');
    if (answer.sha256 !== ours) {
      throw new Error(`${name} arrived damaged (sha256 ${answer.sha256}, sent ${ours})`);
    }
  } finally {
    source.destroy();
  }
}
