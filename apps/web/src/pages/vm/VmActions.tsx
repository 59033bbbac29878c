import type { Vm } from '@virtweb/protocol';
import { DeleteVmBtn } from '../../actions/DeleteVmBtn.tsx';
import { PauseVmBtn } from '../../actions/PauseVmBtn.tsx';
import { PowerOffVmBtn } from '../../actions/PowerOffVmBtn.tsx';
import { ResetVmBtn } from '../../actions/ResetVmBtn.tsx';
import { ResumeVmBtn } from '../../actions/ResumeVmBtn.tsx';
import { ShutdownVmBtn } from '../../actions/ShutdownVmBtn.tsx';
import { StartVmBtn } from '../../actions/StartVmBtn.tsx';

/** All lifecycle buttons, each enabled when the current state allows it. */
export function VmActions({ vm, onDeleted }: { vm: Vm; onDeleted: () => void }) {
  return (
    <div className="actions toolbar" role="group" aria-label="Lifecycle">
      <StartVmBtn vm={vm} />
      <ShutdownVmBtn vm={vm} />
      <PowerOffVmBtn vm={vm} />
      <ResetVmBtn vm={vm} />
      <PauseVmBtn vm={vm} />
      <ResumeVmBtn vm={vm} />
      <span className="toolbar-gap" />
      <DeleteVmBtn vm={vm} onDeleted={onDeleted} />
    </div>
  );
}
