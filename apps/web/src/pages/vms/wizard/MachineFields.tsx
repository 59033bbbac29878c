import {
  AccelSchema,
  ClockSchema,
  MachineSchema,
  type Accel,
  type Clock,
  type Firmware,
  type HostInfo,
  type Machine,
} from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { autoResolvesTo, usesKvm } from './accelChoice.ts';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { RadioGroup, type RadioOption } from '../../../components/RadioGroup.tsx';
import type { PathErrors } from './networkDraft.ts';

/** The firmware and machine choices (same keys as the request). */
export interface MachineChoice {
  firmware: Firmware;
  machine: Machine;
  accel: Accel;
  noKernelIrqchip: boolean;
  clock: Clock;
}

interface Props {
  value: MachineChoice;
  /** `changed`: the one field the user changed (its error may be fixed now). */
  onChange: (patch: Partial<MachineChoice>, changed: keyof MachineChoice) => void;
  host: Pick<HostInfo, 'accel' | 'firmware'>;
  /** Keyed by request path: `firmware`, `machine`, `accel`, `noKernelIrqchip`, `clock`. */
  errors: PathErrors;
}

const NO_OVMF = "not available: OVMF is not installed on this host (Debian's ovmf package)";

function firmwareOptions(host: Props['host'], machine: Machine): RadioOption<Firmware>[] {
  return [
    { value: 'bios', label: 'BIOS', hint: 'SeaBIOS: boots every x86 installer' },
    {
      value: 'uefi',
      label: 'UEFI',
      hint: 'OVMF; the guest gets its own copy of the UEFI variables (boot entries)',
      disabledReason: host.firmware.uefi ? undefined : NO_OVMF,
    },
    {
      value: 'uefi-secure',
      label: 'UEFI with Secure Boot',
      hint:
        machine === 'pc'
          ? 'needs the q35 machine: the firmware protects its variables with SMM'
          : 'OVMF with the Microsoft keys enrolled (q35 only)',
      disabledReason: !host.firmware.uefi
        ? NO_OVMF
        : host.firmware.secureBoot
          ? undefined
          : "not available: this host's OVMF has no Secure Boot build",
    },
  ];
}

/** Firmware (BIOS / UEFI / Secure Boot), machine type, accelerator, "no kernel irqchip" and the guest clock. */
export function MachineFields({ value, onChange, host, errors }: Props) {
  const kvm = usesKvm(value.accel, host);
  const auto = autoResolvesTo(host);
  const autoMeans = auto === 'kvm' ? 'KVM' : 'TCG';
  const accelHint =
    value.accel === 'kvm' && !host.accel.kvm.usable
      ? `This guest will not start here: ${host.accel.kvm.reason}`
      : auto === 'kvm'
        ? 'auto uses KVM on this host'
        : host.accel.default === 'tcg'
          ? 'auto uses TCG: the server default (VIRTWEB_ACCEL=tcg)'
          : `auto uses TCG on this host: ${host.accel.kvm.reason}`;
  return (
    <>
      <RadioGroup
        legend="Firmware"
        value={value.firmware}
        options={firmwareOptions(host, value.machine)}
        onChange={(firmware) => onChange({ firmware }, 'firmware')}
        error={errors.firmware}
      />
      <div className="field-row">
        <Field label="Machine type" error={errors.machine}>
          {(p) => (
            <select
              {...p}
              value={value.machine}
              onChange={(e) => onChange({ machine: MachineSchema.parse(e.target.value) }, 'machine')}
            >
              <option value="q35">q35 (PCIe, AHCI: modern guests)</option>
              <option value="pc">pc (i440fx, PIIX IDE: old guests)</option>
            </select>
          )}
        </Field>
        <Field label="Accelerator" error={errors.accel} hint={accelHint}>
          {(p) => (
            <select
              {...p}
              value={value.accel}
              onChange={(e) => onChange({ accel: AccelSchema.parse(e.target.value) }, 'accel')}
            >
              <option value="auto">auto (here: {autoMeans})</option>
              <option value="kvm">KVM (hardware virtualization)</option>
              <option value="tcg">TCG (software emulation)</option>
            </select>
          )}
        </Field>
      </div>
      <CheckboxField
        label="No kernel irqchip"
        checked={value.noKernelIrqchip && kvm}
        onChange={(noKernelIrqchip) => onChange({ noKernelIrqchip }, 'noKernelIrqchip')}
        hint="qemu emulates the interrupt controllers (PIC, IOAPIC, LAPIC) in user space instead of KVM doing it in the host kernel: slower, but works around host irqchip bugs."
        disabledReason={kvm ? undefined : 'Only with KVM: this guest runs under TCG.'}
        error={errors.noKernelIrqchip}
      />
      <Field
        label="Guest clock"
        error={errors.clock}
        hint="Linux keeps the hardware clock in UTC, Windows in local time"
      >
        {(p) => (
          <select
            {...p}
            value={value.clock}
            onChange={(e) => onChange({ clock: ClockSchema.parse(e.target.value) }, 'clock')}
          >
            <option value="utc">UTC</option>
            <option value="localtime">Local time</option>
          </select>
        )}
      </Field>
    </>
  );
}
