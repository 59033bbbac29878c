import { IMAGE_BUSY, type ImageActivity } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';

/** One operation per image at a time: each takes the names it touches (a convert its source and target). */
export class ImageLocks {
  private readonly held = new Map<string, ImageActivity>();

  /** The operation holding `name`, if any. */
  operationOn(name: string): ImageActivity | undefined {
    return this.held.get(name);
  }

  /**
   * Takes every name or none; returns the release function (idempotent).
   * @throws Conflict `busy` naming the operation that holds one of them.
   */
  acquire(names: string[], op: ImageActivity): () => void {
    for (const name of names) {
      const holder = this.held.get(name);
      if (holder !== undefined)
        throw new Conflict(IMAGE_BUSY, `image ${name} is busy: ${holder} in progress`);
    }
    for (const name of names) this.held.set(name, op);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const name of names) this.held.delete(name);
    };
  }

  /** Runs `fn` holding the names. @throws Conflict `busy` */
  async with<T>(names: string[], op: ImageActivity, fn: () => Promise<T>): Promise<T> {
    const release = this.acquire(names, op);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
