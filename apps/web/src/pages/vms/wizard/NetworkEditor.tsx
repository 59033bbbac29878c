import { NicModelSchema, type HostInfo, type ManagedNetwork, type NicModel } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { PortForwardsEditor } from './PortForwardsEditor.tsx';
import { RadioGroup, type RadioOption } from '../../../components/RadioGroup.tsx';
import type { NetworkDraft, PathErrors } from './networkDraft.ts';

/** What each NIC model is, for the choice. */
export const NIC_MODEL_LABEL: Record<NicModel, string> = {
  virtio: 'virtio-net (fast; the guest needs virtio drivers)',
  e1000: 'e1000 (emulated Intel NIC: works with any OS)',
  e1000e: 'e1000e (emulated Intel PCIe NIC: newer Windows, q35)',
  rtl8139: 'rtl8139 (Realtek: very old systems)',
};

/** A labelled choice of NIC model, each said in words. */
export function NicModelField(props: {
  label: string;
  value: NicModel;
  onChange: (model: NicModel) => void;
  error?: string | undefined;
}) {
  return (
    <Field label={props.label} error={props.error}>
      {(p) => (
        <select
          {...p}
          value={props.value}
          onChange={(e) => props.onChange(NicModelSchema.parse(e.target.value))}
        >
          {NicModelSchema.options.map((m) => (
            <option key={m} value={m}>
              {NIC_MODEL_LABEL[m]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface Props {
  value: NetworkDraft;
  /** `changed`: the error key the change may fix (`network`, `nics.0.model`, `nics.0.portForwards.0.hostPort`). */
  onChange: (next: NetworkDraft, changed: string) => void;
  /** The host's bridges and tap devices (HostInfo.network): those modes are offered only when there are some. */
  hostNetwork: HostInfo['network'];
  /** The managed networks (the Networks page): `network` mode is offered when there are some. */
  managedNetworks: readonly Pick<ManagedNetwork, 'name' | 'kind' | 'state'>[];
  /** Keyed by request path, as `errorKeyOf` gives them. */
  errors: PathErrors;
}

/** The guest's network: none, user-mode NAT with port forwards, a bridge or a tap device; and the NIC model. */
export function NetworkEditor({ value, onChange, hostNetwork, managedNetworks, errors }: Props) {
  const patch = (p: Partial<NetworkDraft>, changed: string) => onChange({ ...value, ...p }, changed);
  const { bridges, taps } = hostNetwork;
  const modes: RadioOption<NetworkDraft['mode']>[] = [
    { value: 'none', label: 'No network', hint: 'the guest has no network card' },
    ...(managedNetworks.length > 0
      ? [
          {
            value: 'network' as const,
            label: 'Virtual network',
            hint: "a network of virtweb's (Networks page): DHCP and DNS, NAT or isolated; guests on it reach each other",
          },
        ]
      : []),
    {
      value: 'user',
      label: 'User-mode NAT',
      hint: 'qemu connects the guest to the outside (no root needed); only forwarded ports reach in',
    },
  ];
  if (bridges.length > 0) {
    modes.push({
      value: 'bridge',
      label: 'Bridge',
      hint: 'the guest joins a host bridge and its LAN (through a tap the server makes)',
    });
  }
  if (taps.length > 0) modes.push({ value: 'tap', label: 'Tap device', hint: 'an existing host tap device' });
  const onlyNat =
    bridges.length === 0 && taps.length === 0
      ? 'No bridge or tap device on this host: they would be offered here.'
      : undefined;

  return (
    <>
      <RadioGroup
        legend="Network"
        value={value.mode}
        options={modes}
        onChange={(mode) => patch({ mode }, 'nics')}
        error={errors.nics}
        hint={onlyNat}
      />
      {value.mode === 'bridge' && (
        <Field label="Bridge" error={errors['nics.0.bridge']}>
          {(p) => (
            <select
              {...p}
              value={value.bridge}
              onChange={(e) => patch({ bridge: e.target.value }, 'nics.0.bridge')}
            >
              {bridges.map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {value.mode === 'network' && (
        <Field
          label="Virtual network"
          error={errors['nics.0.network']}
          hint={
            managedNetworks.find((n) => n.name === value.network)?.state === 'stopped'
              ? 'This network is stopped: start it on the Networks page before the guest starts.'
              : undefined
          }
        >
          {(p) => (
            <select
              {...p}
              value={value.network}
              onChange={(e) => patch({ network: e.target.value }, 'nics.0.network')}
            >
              {value.network === '' && <option value="">Choose a network</option>}
              {managedNetworks.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({n.kind}
                  {n.state === 'stopped' ? ', stopped' : ''})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {value.mode === 'tap' && (
        <Field label="Tap device" error={errors['nics.0.tap']}>
          {(p) => (
            <select {...p} value={value.tap} onChange={(e) => patch({ tap: e.target.value }, 'nics.0.tap')}>
              {taps.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {value.mode !== 'none' && (
        <NicModelField
          label="NIC model"
          value={value.model}
          onChange={(model) => patch({ model }, 'nics.0.model')}
          error={errors['nics.0.model']}
        />
      )}
      {value.mode === 'user' && (
        <PortForwardsEditor
          forwards={value.portForwards}
          onChange={(portForwards, changed) => patch({ portForwards }, changed)}
          errors={errors}
        />
      )}
    </>
  );
}
