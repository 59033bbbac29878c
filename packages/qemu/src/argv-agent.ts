// The guest agent's channel: a virtio-serial port named org.qemu.guest_agent.0 on a unix socket qemu listens on.
import { escapeOptValue } from './argv-opts.ts';

/** qemu's ids of the agent channel: its chardev, the virtio-serial controller and the port. */
export const AGENT_IDS = { chardev: 'qga0', controller: 'vser0', port: 'qga0-port' } as const;
/** The port name qemu-guest-agent opens in the guest (/dev/virtio-ports/<name>). */
export const AGENT_PORT_NAME = 'org.qemu.guest_agent.0';

/** `-chardev` + `-device`s for the agent channel, whose socket the server connects to (one client at a time). */
export function agentArgs(socketPath: string): string[] {
  const { chardev, controller, port } = AGENT_IDS;
  return [
    // NOTE: server=on,wait=off: qemu listens and the guest runs without a client; bytes the server writes
    // before the guest's agent opens the port wait in the socket (the sync handshake skips stale answers).
    ...['-chardev', `socket,id=${chardev},path=${escapeOptValue(socketPath)},server=on,wait=off`],
    ...['-device', `virtio-serial-pci,id=${controller}`],
    ...[
      '-device',
      `virtserialport,bus=${controller}.0,chardev=${chardev},id=${port},name=${AGENT_PORT_NAME}`,
    ],
  ];
}
