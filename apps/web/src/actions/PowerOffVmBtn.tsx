import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Pulls the plug: the qemu process ends at once. */
export function PowerOffVmBtn({ vm }: { vm: Vm }) {
  return (
    <VmActionBtn
      vm={vm}
      action="poweroff"
      label="Power off"
      danger
      confirm={{
        title: `Power off ${vm.name}?`,
        text: 'This cuts the power at once, like pulling the plug: data the guest has not written is lost.',
      }}
    />
  );
}
