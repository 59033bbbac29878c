import type { Vm } from '@virtweb/protocol';
import { changeLabel } from './labels.ts';

/** On the VM page: the saved settings the running qemu does not have yet (they apply at the next start). */
export function PendingBanner({ vm }: { vm: Vm }) {
  const pending = vm.pendingChanges ?? [];
  return (
    <div
      role="status"
      aria-label="Pending settings"
      className={pending.length > 0 ? 'settings-pending' : 'visually-hidden'}
    >
      {pending.length > 0 && (
        <>
          <strong>Pending until next start:</strong> {pending.map(changeLabel).join(', ')}
        </>
      )}
    </div>
  );
}
