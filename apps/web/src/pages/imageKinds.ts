import type { Image } from '@virtweb/protocol';

/** CD images: what qemu-img calls "iso", or a raw file named *.iso (qemu-img cannot tell those apart). */
export function isCdImage(image: Image): boolean {
  return image.format === 'iso' || /\.iso$/i.test(image.name);
}

/** Images a guest can use as a hard disk. */
export function isDiskImage(image: Image): boolean {
  return !isCdImage(image) && (image.format === 'qcow2' || image.format === 'raw');
}
