import { useState, type SubmitEvent } from 'react';
import { diskOptionsProblem, type Vm } from '@virtweb/protocol';
import { DialogButton } from '../../../components/DialogButton.tsx';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { usePatchDisk } from '../../../queries/vmStorage.ts';
import { DiskOptionsFields, type DiskOptionValues } from './DiskOptionsFields.tsx';
import { canChangeStorage, isLive } from './storageStates.ts';

type Disk = Vm['disks'][number];

function OptionsForm({ vm, disk, close }: { vm: Vm; disk: Disk; close: () => void }) {
  const [values, setValues] = useState<DiskOptionValues>({
    cache: disk.cache ?? 'writeback',
    discard: disk.discard ?? 'ignore',
    readOnly: disk.readOnly ?? false,
  });
  const mutation = usePatchDisk(vm.id);
  const notify = useNotify();
  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (diskOptionsProblem(disk.bus, values) !== undefined) return;
    mutation.mutate(
      { index: disk.index, ...values },
      {
        onSuccess: (d) => {
          const when = d.pending === true ? ': they apply at the next start' : '';
          notify.success(`Saved the options of ${disk.image}${when}`);
          close();
        },
        onError: (err) => notify.error(`Could not change ${disk.image}`, err),
      },
    );
  };
  return (
    <form onSubmit={submit} noValidate>
      <DiskOptionsFields bus={disk.bus} values={values} onChange={setValues} />
      {isLive(vm.state) && <p className="muted">The running guest keeps its options until its next start.</p>}
      <DialogFormButtons onCancel={close} label="Save" busyLabel="Saving…" busy={mutation.isPending} />
    </form>
  );
}

/** Changes a disk's cache mode, discard and read-only (a running guest gets them at its next start). */
export function DiskOptionsBtn({ vm, disk }: { vm: Vm; disk: Disk }) {
  return (
    <DialogButton
      label="Options"
      ariaLabel={`Options of ${disk.image}`}
      title={`Options of ${disk.image}`}
      disabled={!canChangeStorage(vm.state)}
    >
      {(close) => <OptionsForm vm={vm} disk={disk} close={close} />}
    </DialogButton>
  );
}
