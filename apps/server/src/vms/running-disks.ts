import { PROCESS_STATES } from '@virtweb/protocol';
import type { RunningUse, RunningUsers } from '../images/image-users.ts';
import type { VmService } from './vm-service.ts';

/**
 * Running users from the VM service: every VM with a qemu process (or a start under way: from a start's
 * beginning until qemu has exited) whose definition names the image; a disk of a running guest grows through
 * its engine.
 */
export function runningUsersOf(vms: VmService): RunningUsers {
  return (imageName, imagePath) => {
    const uses: RunningUse[] = [];
    for (const vm of vms.list()) {
      if (!PROCESS_STATES.includes(vm.state)) continue;
      const rt = vms.runtime(vm.id);
      const index = vm.disks.findIndex((d) => d.image === imageName);
      if (rt && vm.cdrom === imageName) uses.push({ vmId: vm.id, vmName: vm.name, kind: 'cdrom' });
      if (index < 0) continue;
      if (!rt || vm.state === 'starting' || vm.state === 'migrating') {
        uses.push({ vmId: vm.id, vmName: vm.name, kind: 'opening', state: vm.state });
        continue;
      }
      const slot = vm.disks[index]?.index ?? index;
      const resize = (bytes: number): Promise<void> =>
        rt.engine.block.resizeDisk(rt.guest, slot, imagePath, bytes);
      uses.push({ vmId: vm.id, vmName: vm.name, kind: 'disk', resize });
    }
    return uses;
  };
}
