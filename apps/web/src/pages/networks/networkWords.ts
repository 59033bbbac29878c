import type { ManagedNetwork, NetworkKind } from '@virtweb/protocol';
import type { RadioOption } from '../../components/RadioGroup.tsx';

export const KIND_WORDS: Record<NetworkKind, string> = {
  nat: 'NAT',
  isolated: 'Isolated',
  bridge: 'Host bridge',
};

export const KIND_OPTIONS: readonly RadioOption<NetworkKind>[] = [
  {
    value: 'nat',
    label: KIND_WORDS.nat,
    hint: 'A bridge of its own with DHCP and DNS; guests reach out through the host (masquerade), ports can be forwarded in.',
  },
  {
    value: 'isolated',
    label: KIND_WORDS.isolated,
    hint: 'A bridge with DHCP and DNS: guests reach each other and the host, nothing beyond.',
  },
  {
    value: 'bridge',
    label: KIND_WORDS.bridge,
    hint: 'An existing bridge of the host (e.g. br0 on the LAN): guests are on that network; virtweb never changes it.',
  },
];

/** "running", or "stopped" with why when it should run. */
export function stateText(n: ManagedNetwork): string {
  return n.problem ? `${n.state}: ${n.problem}` : n.state;
}
