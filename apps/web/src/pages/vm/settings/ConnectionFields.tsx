import { useQuery } from '@tanstack/react-query';
import type { HostInfo } from '@virtweb/protocol';
import { nicNetworksQuery } from '../../../queries/networks.ts';
import { Loading } from '../../../components/QueryError.tsx';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { MachineFields, type MachineChoice } from '../../vms/wizard/MachineFields.tsx';
import { NetworkEditor } from '../../vms/wizard/NetworkEditor.tsx';
import type { SectionProps, SettingsValues } from './settingsValues.ts';

// The network and machine sections reuse the new-VM wizard's editors (same words, same checks).

interface Props extends SectionProps {
  host: HostInfo | undefined;
  /** Sets several fields at once; `changed` is the error key the change may fix. */
  patch: (patch: Partial<SettingsValues>, changed: string) => void;
}

/** Host interfaces to offer, plus the guest's own when the host no longer lists it (so it stays shown). */
function withCurrent(list: readonly string[] | undefined, current: string, inUse: boolean): string[] {
  const all = [...(list ?? [])];
  return inUse && current !== '' && !all.includes(current) ? [current, ...all] : all;
}

export function NetworkSection({ values, errors, patch, host }: Props) {
  const n = values.network;
  const managed = useQuery(nicNetworksQuery());
  const hostNetwork = {
    bridges: withCurrent(host?.network.bridges, n.bridge, n.mode === 'bridge'),
    taps: withCurrent(host?.network.taps, n.tap, n.mode === 'tap'),
  };
  return (
    <fieldset className="settings-section">
      <legend>Networking</legend>
      <NetworkEditor
        value={n}
        onChange={(network, changed) => patch({ network }, changed)}
        hostNetwork={hostNetwork}
        managedNetworks={managed.data ?? []}
        errors={errors}
      />
    </fieldset>
  );
}

export function MachineSection({ values, errors, patch, host }: Props) {
  const choice: MachineChoice = {
    firmware: values.firmware,
    machine: values.machine,
    accel: values.accel,
    noKernelIrqchip: values.noKernelIrqchip,
    clock: values.clock,
  };
  return (
    <fieldset className="settings-section">
      <legend>Firmware and machine</legend>
      {host ? (
        <MachineFields value={choice} onChange={patch} host={host} errors={errors} />
      ) : (
        <Loading what="the host's firmware and accelerators" />
      )}
      <CheckboxField
        label="Memory balloon"
        checked={values.balloon}
        onChange={(balloon) => patch({ balloon }, 'balloon')}
        error={errors.balloon}
        hint="A virtio-balloon device: the host can take memory back from the running guest (needs a guest driver)."
      />
      <CheckboxField
        label="Guest agent"
        checked={values.guestAgent}
        onChange={(guestAgent) => patch({ guestAgent }, 'guestAgent')}
        error={errors.guestAgent}
        hint="A virtio-serial channel for qemu-guest-agent: the guest's addresses, OS and file systems, shutdown through the agent, file systems frozen for snapshots (needs qemu-guest-agent in the guest)."
      />
    </fieldset>
  );
}
