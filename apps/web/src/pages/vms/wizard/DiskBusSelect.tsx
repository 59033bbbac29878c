import {
  DISK_BUS_LABELS,
  DiskBusSchema,
  diskBusProblem,
  type DiskBus,
  type Machine,
} from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';

/** What each bus is for, in a few words (virt-manager's "Bus type"). */
const BUS_HINTS: Record<DiskBus, string> = {
  virtio: 'fast; the guest needs virtio drivers',
  scsi: 'virtio-scsi: discard/TRIM, many disks; virtio drivers',
  sata: 'AHCI, emulated: works with any OS',
  ide: 'PIIX, emulated: for old guests, pc machine only',
  usb: 'usb-storage on the xHCI controller',
};

/** The disk bus select: every bus, those the machine lacks (IDE on q35) disabled. */
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
          {DiskBusSchema.options.map((bus) => (
            <option
              key={bus}
              value={bus}
              disabled={diskBusProblem(bus, machine) !== undefined && bus !== value}
            >
              {DISK_BUS_LABELS[bus]} ({BUS_HINTS[bus]})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
