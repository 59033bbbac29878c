import type { Vm } from '@virtweb/protocol';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { MigrateForm } from './MigrateForm.tsx';
import { canMigrate, isLiveMove } from './migrateStates.ts';
import { useGuestJobReason } from './useGuestJobReason.ts';
import './migrate.css';

/** "Migrate…": moves the guest to a peer, live while it runs, offline while it is stopped. */
export function MigrateVmBtn({ vm }: { vm: Vm }) {
  const reason = useGuestJobReason(
    vm,
    canMigrate(vm.state),
    `A guest that is ${vm.state} cannot move; wait until it runs or stops.`,
  );
  const title = isLiveMove(vm.state)
    ? `Live-migrate ${vm.name} to another host`
    : `Move ${vm.name} (stopped) to another host`;
  return (
    <DialogButton label="Migrate…" title={title} disabled={reason !== undefined} disabledReason={reason}>
      {(close) => <MigrateForm vm={vm} onClose={close} />}
    </DialogButton>
  );
}
