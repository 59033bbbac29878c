import type { VmService } from '../vms/vm-service.ts';

/** An image opened by a running (or paused) qemu: a disk can grow online, a CD cannot change size. */
export type RunningUse =
  | { vmId: string; vmName: string; kind: 'disk'; resize: (bytes: number) => Promise<void> }
  | { vmId: string; vmName: string; kind: 'cdrom' };

/** Which live guests have an image open; the VM service's knowledge, asked by the image store. */
export type RunningUsers = (imageName: string, imagePath: string) => RunningUse[];

/**
 * Running users from the VM service: every VM with a qemu process whose definition names the image. A disk
 * grows with QMP `block_resize` on its format node: the node whose file is the image (`query-block`, which
 * also finds hot-plugged disks), else `disk<N>` for the N-th disk of the definition (packages/qemu argv).
 */
export function runningUsersOf(vms: VmService): RunningUsers {
  return (imageName, imagePath) => {
    const uses: RunningUse[] = [];
    for (const vm of vms.list()) {
      const rt = vms.runtime(vm.id);
      if (!rt) continue;
      if (vm.cdrom === imageName) uses.push({ vmId: vm.id, vmName: vm.name, kind: 'cdrom' });
      const index = vm.disks.findIndex((d) => d.image === imageName);
      if (index < 0) continue;
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
