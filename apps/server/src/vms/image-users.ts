import type { ImageUsers } from '../images/image-users.ts';
import type { VmsRepo } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';

/** Whether a definition names the image (a disk, the CD, the kernel or initrd). */
export function namesImage(def: VmDefinition, image: string): boolean {
  return (
    def.cdrom === image ||
    def.disks.some((d) => d.image === image) ||
    def.kernel?.kernel === image ||
    def.kernel?.initrd === image
  );
}

/**
 * The VMs using an image (`usedBy`, and what refuses its delete): every VM whose definition names it, and a VM
 * hot-plugging it right now. A VM's definition cannot lose an image while its qemu holds it: from a start's
 * beginning the VM is `starting` and its disks change only through QMP (unplugged first, then dropped).
 */
export function imageUsers(vms: {
  repo: Pick<VmsRepo, 'list' | 'get'>;
  storage: { attaching(image: string): string | undefined };
}): ImageUsers {
  return {
    of: (image) => {
      const ids = vms.repo
        .list()
        .filter((r) => namesImage(r.definition, image))
        .map((r) => r.id);
      const attaching = vms.storage.attaching(image);
      return attaching === undefined || ids.includes(attaching) ? ids : [...ids, attaching];
    },
    nameOf: (id) => vms.repo.get(id)?.definition.name ?? id,
  };
}
