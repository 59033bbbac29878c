import type { Image } from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import type { InspectedImage } from './image-inspect.ts';
import type { ImageLocks } from './image-locks.ts';
import type { RunningUse } from './image-users.ts';
import type { ImageLimits } from './limits.ts';

/**
 * What the image operations (image-ops.ts, image-upload.ts) use of the image service, which implements it: the
 * operations import this, not the service that calls them.
 */
export interface ImageStore {
  readonly imagesDir: string;
  readonly qemuImg: string;
  readonly bus: EventBus;
  readonly limits: ImageLimits;
  /** One operation per image at a time. */
  readonly locks: ImageLocks;
  path(name: string): string;
  exists(name: string): Promise<boolean>;
  /** @throws QemuImgError when qemu-img cannot read the image. */
  inspect(name: string, opts?: { tempFile?: string; format?: string }): Promise<InspectedImage>;
  toImage(i: InspectedImage): Image;
  /** The VMs whose definitions name the image. */
  users(name: string): string[];
  /** The same VMs by name, for messages. */
  userNames(name: string): string[];
  /** The guests whose qemu has the image open, or is about to. */
  running(name: string): RunningUse[];
  /** Images in the store whose backing chain contains `name`. */
  dependentsOf(name: string): Promise<string[]>;
  /** @throws Invalid for a virtual size above the configured maximum. */
  checkSize(bytes: number): void;
  /** Tells the browsers the image list changed. */
  changed(): void;
}
