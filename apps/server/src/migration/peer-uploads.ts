// The images peers uploaded here for a move, so a peer can take back what its failed move left behind.
import type { ImageService } from '../images/image-service.ts';
import { NotFound } from '../domain/errors.ts';

/** A move that fails undoes its uploads within seconds; after this long an upload is no longer a peer's. */
const UNDO_WINDOW_MS = 60 * 60 * 1000;

/**
 * Images uploaded with an API token, by token and time (in memory). A `peer` token may not delete images;
 * this lets it remove only what it uploaded itself, lately, and what no VM uses (ImageService refuses that).
 */
export class PeerUploads {
  readonly #uploads = new Map<string, { tokenId: string; at: number }>();

  constructor(private readonly images: Pick<ImageService, 'delete'>) {}

  note(name: string, tokenId: string, now = Date.now()): void {
    for (const [n, u] of this.#uploads) if (now - u.at > UNDO_WINDOW_MS) this.#uploads.delete(n);
    this.#uploads.set(name, { tokenId, at: now });
  }

  /** @throws NotFound (not uploaded with this token lately), Conflict (in use) */
  async remove(name: string, tokenId: string, now = Date.now()): Promise<void> {
    const upload = this.#uploads.get(name);
    if (upload?.tokenId !== tokenId || now - upload.at > UNDO_WINDOW_MS) {
      throw new NotFound(`image ${name} uploaded with this token`);
    }
    await this.images.delete(name);
    this.#uploads.delete(name);
  }
}
