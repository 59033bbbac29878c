// The server-side checks of a guest's NICs: host interfaces, MACs of other guests, port forwards across NICs.
import { ErrorCode, type Nic } from '@virtweb/protocol';
import type { VmDefinition } from './definition.ts';
import type { Issue, ValidationHost, ValidationScope } from './validation-host.ts';

const invalid = (path: string, message: string): Issue => ({
  path,
  message,
  kind: 'invalid',
  code: ErrorCode.validation,
});

/**
 * Bridges and taps exist (and qemu's user can open a tap), no MAC is another guest's (409 naming it), at most
 * one user-mode NIC has port forwards and no host port is forwarded twice. Paths are `nics.<list index>...`.
 */
export async function checkNics(
  host: ValidationHost,
  def: VmDefinition,
  scope: ValidationScope,
  issues: Issue[],
): Promise<void> {
  const macs = new Set<string>();
  for (const [i, nic] of def.nics.entries()) {
    await checkAttachment(host, nic, `nics.${i}`, issues);
    if (macs.has(nic.mac)) issues.push(invalid(`nics.${i}.mac`, `two NICs with MAC ${nic.mac}`));
    macs.add(nic.mac);
    const owner = host.vmWithMac(nic.mac, scope.vmId);
    if (owner !== undefined) {
      issues.push({
        path: `nics.${i}.mac`,
        message: `MAC ${nic.mac} is in use by the guest ${host.vmName(owner)}`,
        kind: 'clash',
        code: ErrorCode.inUse,
      });
    }
  }
  checkPortForwards(def.nics, issues);
}

async function checkAttachment(host: ValidationHost, nic: Nic, at: string, issues: Issue[]): Promise<void> {
  if (nic.mode !== 'bridge' && nic.mode !== 'tap') return;
  const facts = await host.network();
  const [name, list, kind] =
    nic.mode === 'bridge' ? [nic.bridge, facts.bridges, 'bridge'] : [nic.tap, facts.taps, 'tap device'];
  if (!list.includes(name)) {
    const known = list.length === 0 ? `this host has no ${kind}` : `this host has ${list.join(', ')}`;
    issues.push(invalid(`${at}.${nic.mode}`, `no ${kind} named ${name}: ${known}`));
    return;
  }
  const problem = await host.nicProblem(nic);
  if (problem !== undefined) issues.push(invalid(`${at}.${nic.mode}`, problem));
}

function checkPortForwards(nics: readonly Nic[], issues: Issue[]): void {
  const used = new Map<string, string>();
  let carrier: number | undefined;
  for (const [n, nic] of nics.entries()) {
    if (nic.mode !== 'user' || nic.portForwards.length === 0) continue;
    if (carrier !== undefined) {
      issues.push(
        invalid(
          `nics.${n}.portForwards`,
          `only one user-mode NIC can have port forwards (NIC ${carrier + 1} has them already)`,
        ),
      );
      continue;
    }
    carrier = n;
    nic.portForwards.forEach((f, i) => {
      // Different addresses on one port still clash: 0.0.0.0 covers 127.0.0.1.
      const key = `${f.protocol}:${f.hostPort}`;
      const first = used.get(key);
      if (first === undefined) used.set(key, `forward ${i + 1}`);
      else {
        issues.push(
          invalid(
            `nics.${n}.portForwards.${i}.hostPort`,
            `host ${f.protocol} port ${f.hostPort} is already forwarded (${first})`,
          ),
        );
      }
    });
  }
}
