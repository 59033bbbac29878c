import type { Vm } from '@virtweb/protocol';
import { useVmJob } from '../../../queries/migrations.ts';
import { isJobEnded } from '../../../queries/migrationJobs.ts';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { useRoleGate } from '../../../queries/role.ts';
import { MigrateForm } from './MigrateForm.tsx';
import { canMigrate, isLiveMove } from './migrateStates.ts';
import './migrate.css';

/** "Migrate…": moves the guest to a peer, live while it runs, offline while it is stopped. */
export function MigrateVmBtn({ vm }: { vm: Vm }) {
  const job = useVmJob(vm.id);
  const busy = job !== undefined && !isJobEnded(job);
  const role = useRoleGate('operate');
  const reason = role.reason
    ? role.reason
    : busy
      ? 'A migration, save or restore of this guest is running.'
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
