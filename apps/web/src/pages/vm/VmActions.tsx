import type { Vm } from '@virtweb/protocol';
import { PauseVmBtn } from '../../actions/PauseVmBtn.tsx';
import { PowerOffVmBtn } from '../../actions/PowerOffVmBtn.tsx';
import { ResetVmBtn } from '../../actions/ResetVmBtn.tsx';
import { ResumeVmBtn } from '../../actions/ResumeVmBtn.tsx';
import { ShutdownVmBtn } from '../../actions/ShutdownVmBtn.tsx';
import { StartVmBtn } from '../../actions/StartVmBtn.tsx';
import { MigrateVmBtn } from './migrate/MigrateVmBtn.tsx';
import { SaveStateBtn } from './saved/SaveStateBtn.tsx';
import { CloneVmBtn } from './settings/CloneVmBtn.tsx';
import { DeleteVmBtn } from './settings/DeleteVmBtn.tsx';

/** All lifecycle buttons (and clone, delete), each enabled when the current state allows it. */
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
      <CloneVmBtn vm={vm} />
      <SaveStateBtn vm={vm} />
      <MigrateVmBtn vm={vm} />
      <DeleteVmBtn vm={vm} onDeleted={onDeleted} />
    </div>
  );
}
