import type { Nic, NicModel, PortForward } from '@virtweb/protocol';

// The guest's (first) NIC as a form holds it; shared by the new-VM wizard and (structurally) the Settings tab.

/** A port forward as its inputs hold it (ports as typed). */
export interface PortForwardDraft {
  protocol: PortForward['protocol'];
  hostAddress: PortForward['hostAddress'];
  hostPort: string;
  guestPort: string;
}

/** Every mode's fields at once, so switching the mode back and forth keeps what was typed. */
export interface NetworkDraft {
  /** `none`: no NIC at all. */
  mode: 'none' | 'user' | 'bridge' | 'tap' | 'network';
  model: NicModel;
  bridge: string;
  tap: string;
  /** A managed network's name (`network` mode). */
  network: string;
  portForwards: PortForwardDraft[];
}

/** Messages keyed by request path: `nics`, `nics.0.model`, `nics.0.portForwards.0.hostPort`, ... */
export type PathErrors = Partial<Record<string, string>>;

export const newPortForward = (): PortForwardDraft => ({
  protocol: 'tcp',
  hostAddress: '127.0.0.1',
  hostPort: '',
  guestPort: '',
});

/** User-mode NAT, no forwards: what a new guest gets unless told otherwise. */
export function initialNetworkDraft(
  model: NicModel,
  host?: { bridges: string[]; taps: string[] },
): NetworkDraft {
  return {
    mode: 'user',
    model,
    bridge: host?.bridges[0] ?? '',
    tap: host?.taps[0] ?? '',
    network: '',
    portForwards: [],
  };
}

/** The draft of a guest's first NIC (the Settings tab); `none` without NICs. */
export function networkDraftOf(nic: Nic | undefined, fallbackModel: NicModel): NetworkDraft {
  return {
    mode: nic === undefined ? 'none' : nic.mode,
    model: nic?.model ?? fallbackModel,
    bridge: nic?.mode === 'bridge' ? nic.bridge : '',
    tap: nic?.mode === 'tap' ? nic.tap : '',
    network: nic?.mode === 'network' ? nic.network : '',
    portForwards:
      nic?.mode === 'user'
        ? nic.portForwards.map((f) => ({
            protocol: f.protocol,
            hostAddress: f.hostAddress,
            hostPort: String(f.hostPort),
            guestPort: String(f.guestPort),
          }))
        : [],
  };
}

const port = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/**
 * The request's `nics` (not validated: ports may be NaN or missing; the schema says so): the drafted NIC, which
 * keeps `first`'s slot, MAC and link, then `rest` as they are. `none` leaves only `rest`.
 */
export function nicsCandidate(d: NetworkDraft, first?: Nic, rest: readonly Nic[] = []): unknown[] {
  if (d.mode === 'none') return [...rest];
  const kept = first === undefined ? {} : { slot: first.slot, mac: first.mac, linkUp: first.linkUp };
  return [{ ...kept, ...nicCandidate(d) }, ...rest];
}

function nicCandidate(d: NetworkDraft): Record<string, unknown> {
  switch (d.mode) {
    case 'none':
    case 'user':
      return {
        mode: 'user',
        model: d.model,
        portForwards: d.portForwards.map((f) => ({
          protocol: f.protocol,
          hostAddress: f.hostAddress,
          hostPort: port(f.hostPort),
          guestPort: port(f.guestPort),
        })),
      };
    case 'bridge':
      return { mode: 'bridge', model: d.model, bridge: d.bridge };
    case 'tap':
      return { mode: 'tap', model: d.model, tap: d.tap };
    case 'network':
      return { mode: 'network', model: d.model, network: d.network };
  }
}

/**
 * Host ports forwarded twice (same protocol and port; 0.0.0.0 covers 127.0.0.1): qemu refuses to start such a
 * guest. Messages at the later duplicates' `nics.0.portForwards.N.hostPort`.
 */
export function duplicateForwardErrors(d: NetworkDraft): PathErrors {
  const errors: PathErrors = {};
  if (d.mode !== 'user') return errors;
  const seen = new Map<string, number>();
  d.portForwards.forEach((f, i) => {
    const hostPort = f.hostPort.trim();
    if (hostPort === '') return;
    const key = `${f.protocol}/${hostPort}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      errors[`nics.0.portForwards.${i}.hostPort`] =
        `host ${f.protocol} port ${hostPort} is already forwarded (forward ${first + 1})`;
    }
  });
  return errors;
}
