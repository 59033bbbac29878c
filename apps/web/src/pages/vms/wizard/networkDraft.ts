import type { Network, NicModel, PortForward } from '@virtweb/protocol';

// The guest NIC as a form holds it; shared by the new-VM wizard and (structurally) the Settings tab.

/** A port forward as its inputs hold it (ports as typed). */
export interface PortForwardDraft {
  protocol: PortForward['protocol'];
  hostAddress: PortForward['hostAddress'];
  hostPort: string;
  guestPort: string;
}

/** Every mode's fields at once, so switching the mode back and forth keeps what was typed. */
export interface NetworkDraft {
  mode: Network['mode'];
  model: NicModel;
  bridge: string;
  tap: string;
  portForwards: PortForwardDraft[];
}

/** Messages keyed by request path: `network`, `network.model`, `network.portForwards.0.hostPort`, ... */
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
  return { mode: 'user', model, bridge: host?.bridges[0] ?? '', tap: host?.taps[0] ?? '', portForwards: [] };
}

/** The draft of a stored network (the Settings tab). */
export function networkDraftOf(network: Network, fallbackModel: NicModel): NetworkDraft {
  return {
    mode: network.mode,
    model: network.mode === 'none' ? fallbackModel : network.model,
    bridge: network.mode === 'bridge' ? network.bridge : '',
    tap: network.mode === 'tap' ? network.tap : '',
    portForwards:
      network.mode === 'user'
        ? network.portForwards.map((f) => ({
            protocol: f.protocol,
            hostAddress: f.hostAddress,
            hostPort: String(f.hostPort),
            guestPort: String(f.guestPort),
          }))
        : [],
  };
}

const port = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** The request's `network` (not validated: ports may be NaN or missing; the schema says so). */
export function networkCandidate(d: NetworkDraft): Record<string, unknown> {
  switch (d.mode) {
    case 'none':
      return { mode: 'none' };
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
  }
}

/**
 * Host ports forwarded twice (same protocol and port; 0.0.0.0 covers 127.0.0.1): qemu refuses to start such a
 * guest. Messages at the later duplicates' `network.portForwards.N.hostPort`.
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
      errors[`network.portForwards.${i}.hostPort`] =
        `host ${f.protocol} port ${hostPort} is already forwarded (forward ${first + 1})`;
    }
  });
  return errors;
}
