import { DiskBusSchema, type DiskBus, type Machine } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';

const IDE_ON: Record<Machine, string> = {
  pc: 'IDE (PIIX, emulated: works with any OS)',
  q35: 'SATA (AHCI, emulated: works with any OS)',
};

/** The disk bus select: virtio or emulated IDE/SATA (which of the two depends on the machine type). */
export function DiskBusSelect({
  value,
  onChange,
  machine,
  error,
  label = 'Disk bus',
}: {
  value: DiskBus;
  onChange: (bus: DiskBus) => void;
  machine: Machine;
  error?: string | undefined;
  label?: string;
}) {
  return (
    <Field label={label} error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(DiskBusSchema.parse(e.target.value))}>
          <option value="virtio">virtio (fast; the guest needs virtio drivers)</option>
          <option value="ide">{IDE_ON[machine]}</option>
        </select>
      )}
    </Field>
  );
}
