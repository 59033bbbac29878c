import type { Image, Vm } from '@virtweb/protocol';

/** One image the VM uses, as a row of the delete dialog. */
export interface ImageChoice {
  image: string;
  kind: 'disk' | 'cd' | 'kernel' | 'initrd';
  /** Disks are deleted with the VM unless unticked; CD, kernel and initrd files (often shared) are kept unless ticked. */
  checkedByDefault: boolean;
  /** Why this image cannot be deleted with the VM (the checkbox is disabled), or null. */
  blocked: string | null;
}

const list = (names: readonly string[]): string => names.join(', ');

function blockedReason(name: string, vm: Vm, images: readonly Image[], vmNames: ReadonlyMap<string, string>) {
  const image = images.find((i) => i.name === name);
  if (!image) return 'the file is not in the image store';
  const others = image.usedBy.filter((id) => id !== vm.id).map((id) => vmNames.get(id) ?? id);
  if (others.length > 0) return `also used by ${list(others)}`;
  const overlays = images.filter((i) => i.backingChain.some((b) => b.inStore && b.name === name));
  if (overlays.length > 0)
    return `${list(overlays.map((o) => o.name))} ${overlays.length === 1 ? 'is an overlay' : 'are overlays'} on it`;
  if (image.operation !== undefined) return `busy: ${image.operation} running`;
  return null;
}

/**
 * The images a VM uses (disks, then the CD, kernel and initrd) with the dialog's defaults, and the ones that must stay: used by
 * another VM, backing an overlay, or busy (the server refuses those with 409).
 */
export function imageChoices(vm: Vm, images: readonly Image[], vms: readonly Vm[]): ImageChoice[] {
  const vmNames = new Map(vms.map((v) => [v.id, v.name]));
  const choices: ImageChoice[] = vm.disks.map((d) => {
    const blocked = blockedReason(d.image, vm, images, vmNames);
    return { image: d.image, kind: 'disk', checkedByDefault: blocked === null, blocked };
  });
  const files: [ImageChoice['kind'], string | undefined][] = [
    ['cd', vm.cdrom],
    ['kernel', vm.kernel?.kernel],
    ['initrd', vm.kernel?.initrd],
  ];
  for (const [kind, name] of files) {
    if (name === undefined || choices.some((c) => c.image === name)) continue;
    choices.push({
      image: name,
      kind,
      checkedByDefault: false,
      blocked: blockedReason(name, vm, images, vmNames),
    });
  }
  return choices;
}

/** The images ticked in the dialog (`picked` holds the user's changes from the defaults) that may go. */
export function imagesToDelete(
  choices: readonly ImageChoice[],
  picked: ReadonlyMap<string, boolean>,
): string[] {
  return choices
    .filter((c) => c.blocked === null && (picked.get(c.image) ?? c.checkedByDefault))
    .map((c) => c.image);
}
