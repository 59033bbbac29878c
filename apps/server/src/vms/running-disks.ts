import { PROCESS_STATES } from '@virtweb/protocol';
import type { RunningUse, RunningUsers } from '../images/image-users.ts';
import type { VmService } from './vm-service.ts';

/**
 * Running users from the VM service: every VM with a qemu process (or a start under way: from a start's
 * beginning until qemu has exited) whose definition names the image. A disk grows with QMP `block_resize` on its
 * format node: the node whose file is the image (`query-block`, which also finds hot-plugged disks), else
 * `disk<N>` for the N-th disk of the definition (packages/qemu argv).
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
      const resize = async (bytes: number): Promise<void> => {
        const blocks = await rt.proc.qmp.execute('query-block');
        const found = blocks.find((b) => !b.removable && b.inserted?.file === imagePath)?.inserted?.[
          'node-name'
        ];
        await rt.proc.qmp.execute('block_resize', { 'node-name': found ?? `disk${index}`, size: bytes });
      };
      uses.push({ vmId: vm.id, vmName: vm.name, kind: 'disk', resize });
    }
    return uses;
  };
}
