import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { Vm } from '@virtweb/protocol';
import { errorText, type ApiError } from '../../../api/errors.ts';
import { detachUsb } from '../../../api/vmUsb.ts';
import { removeNic } from '../../../api/vmNics.ts';
import { changeCdrom, removeDisk } from '../../../api/vmStorage.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { FormError } from '../../../components/FormError.tsx';
import { isLive } from '../storage/storageStates.ts';
import { hardwareRows, type Applies, type HardwareRow, type Removal } from './hardwareRows.ts';

const APPLIES: Record<Applies, string> = {
  live: 'at once (hot-plug)',
  'next start': 'at the next start',
  fixed: 'always there',
};

const EDIT_TAB = { settings: 'Settings', storage: 'Storage' } as const;

function removeWith(vmId: string, r: Removal): Promise<unknown> {
  switch (r.kind) {
    case 'disk':
      return removeDisk(vmId, r.index);
    case 'nic':
      return removeNic(vmId, r.slot);
    case 'usb':
      return detachUsb(vmId, r.slot);
    case 'cdrom':
      return changeCdrom(vmId, { image: null });
  }
}

/**
 * virt-manager's hardware list: every device of the guest with its settings and when a change reaches the
 * running guest; removable ones are removed here, the rest edited on the tab named (Add Hardware links there).
 */
export function HardwareTab({ vm, open }: { vm: Vm; open: (tab: 'settings' | 'storage') => void }) {
  const [error, setError] = useState<string | null>(null);
  const rows = hardwareRows(vm);
  const live = isLive(vm.state);
  return (
    <section className="panel" aria-labelledby="hardware-title">
      <h2 id="hardware-title">Hardware</h2>
      <p className="muted">
        {live
          ? 'The guest runs: changes marked "at once" reach it now; the others wait for its next start.'
          : 'The guest is not running: every change applies when it starts.'}
      </p>
      <DataTable labelledBy="hardware-title" columns={['Device', 'Settings', 'Changes apply']} actions>
        {rows.map((row) => (
          <HardwareRowView key={row.key} vm={vm} row={row} open={open} onError={setError} />
        ))}
      </DataTable>
      <FormError message={error} />
      <nav aria-label="Add hardware" className="button-row">
        <span className="muted">Add hardware:</span>
        <button type="button" onClick={() => open('storage')}>
          Disk or CD…
        </button>
        <button type="button" onClick={() => open('settings')}>
          Network card, USB host device, video, sound, RNG, watchdog, TPM, serial ports…
        </button>
      </nav>
    </section>
  );
}

function HardwareRowView({
  vm,
  row,
  open,
  onError,
}: {
  vm: Vm;
  row: HardwareRow;
  open: (tab: 'settings' | 'storage') => void;
  onError: (message: string | null) => void;
}) {
  const remove = useMutation({
    mutationFn: (r: Removal) => removeWith(vm.id, r),
    onSuccess: () => onError(null),
    onError: (err: ApiError) => onError(errorText(err)),
  });
  return (
    <tr>
      <th scope="row">{row.device}</th>
      <td>{row.settings}</td>
      <td>
        {APPLIES[row.applies]}
        {row.pending && <span className="badge"> changed: waits for the next start</span>}
      </td>
      <td>
        <button type="button" onClick={() => open(row.editIn)}>
          Edit<span className="visually-hidden"> {row.device}</span> in {EDIT_TAB[row.editIn]}
        </button>
        {row.remove !== undefined && (
          <button
            type="button"
            disabled={remove.isPending}
            onClick={() => row.remove && remove.mutate(row.remove)}
          >
            {row.remove.kind === 'cdrom' ? 'Eject' : 'Remove'}
            <span className="visually-hidden"> {row.device}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
