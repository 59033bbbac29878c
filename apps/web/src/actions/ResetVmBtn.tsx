import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Hard reset of the guest (the qemu process stays). */
export function ResetVmBtn({ vm }: { vm: Vm }) {
  return (
    <VmActionBtn
      vm={vm}
      action="reset"
      label="Reset"
      danger
      confirm={{
        title: `Reset ${vm.name}?`,
        text: 'The guest reboots at once, like pressing the reset button: data it has not written is lost.',
      }}
    />
  );
}
