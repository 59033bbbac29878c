import type { Vm } from '@virtweb/protocol';
import { useVmJobRunning } from '../../../queries/migrations.ts';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { useRoleGate } from '../../../queries/role.ts';
import { MigrateForm } from './MigrateForm.tsx';
import { JOB_RUNNING_REASON, canMigrate, isLiveMove } from './migrateStates.ts';
import './migrate.css';

/** "Migrate…": moves the guest to a peer, live while it runs, offline while it is stopped. */
export function MigrateVmBtn({ vm }: { vm: Vm }) {
  const busy = useVmJobRunning(vm.id);
  const role = useRoleGate('operate');
  const reason = role.reason
    ? role.reason
    : busy
      ? JOB_RUNNING_REASON
      : canMigrate(vm.state)
        ? undefined
        : `A guest that is ${vm.state} cannot move; wait until it runs or stops.`;
  const title = isLiveMove(vm.state)
    ? `Live-migrate ${vm.name} to another host`
    : `Move ${vm.name} (stopped) to another host`;
  return (
    <DialogButton label="Migrate…" title={title} disabled={reason !== undefined} disabledReason={reason}>
      {(close) => <MigrateForm vm={vm} onClose={close} />}
    </DialogButton>
  );
}
